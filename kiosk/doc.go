// Package kiosk is the shell: the fullscreen browser a resident touches.
//
// It has two halves in one binary:
//
//   - the supervisor (`kiosk shell`, plain Go) creates a fresh private
//     profile directory for each resident session, starts one browser
//     process in it, watches it with a heartbeat, and at the end of the
//     session removes the directory, checks that it is gone and reports the
//     wipe to the service before it starts the next browser process;
//   - the browser process (`kiosk shell --browser`, cgo against WebKitGTK
//     through webview_go) shows the service's portal and the allowed sites
//     through the filtering proxy, with the navigation policy, the toolbar
//     bindings and the out-of-order screen.
//
// Every file that needs cgo carries the `webview` build tag. Without the
// tag, Run returns ErrNoWebview and nothing here needs GTK or WebKit.
//
// The shell reaches the service only through its local HTTP API
// (docs/api.md) and its proxy: it imports no service package except
// allowlist, so decide-policy and the proxy use the same matcher.
package kiosk
