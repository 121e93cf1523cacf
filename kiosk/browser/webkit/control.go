//go:build webview && linux && !kiosktest

package webkit

import "github.com/communes/kiosk/kiosk/browser"

// startControl does nothing: the test control socket exists only in test
// builds (-tags kiosktest).
func startControl(*browser.Browser) {}

func evalDone(int64, string, string) {}
