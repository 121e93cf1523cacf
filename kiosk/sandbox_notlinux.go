//go:build !linux

package kiosk

// checkSandbox has nothing to check outside Linux: WebView2 runs its own
// sandbox.
func checkSandbox(*Config) error { return nil }
