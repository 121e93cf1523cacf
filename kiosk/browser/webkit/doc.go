// Package webkit is the browser process's WebKitGTK glue on Linux: the
// window and view (webview_go's C API, gtk.c), the C callbacks that hand
// every decision to kiosk/browser, and the view's calls. With kiosk/browser/
// webview2, the only package with cgo; its files need the webview build tag
// (and GTK and WebKitGTK's development files). See docs/shell.md.
//
// Where a navigation is decided: gtk.c's decide-policy (schemes, new
// windows) and the main resource's response decision and notify::uri
// (the allowlist), which ask browser.Browser.Decide and MainFrame
// (kiosk/browser/policy.go). load-changed only records the committed
// page; it decides nothing.
package webkit
