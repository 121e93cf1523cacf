//go:build webview && linux && !kiosktest

package kiosk

// startControl does nothing: the test control socket exists only in test
// builds (-tags kiosktest).
func startControl(*browser) {}

func (b *browser) evalDone(int64, string, string) {}
