// Package browser is the browser process's logic (kiosk-browser), written
// against the small View interface so that it runs and is tested without
// GTK, WebKit or WebView2:
//
//   - policy.go: where a navigation is allowed (the allowlist, with the
//     session's supervised sites and the hosts an agent opened);
//   - bindings.go: the one table of the page's functions (kioskStart,
//     kioskEnd...), who may call each and whether it needs the resident's
//     touch; a binding absent from the table is refused to everyone;
//   - state.go: following the service's state (long poll) and the screen
//     each state shows; outoforder.go: the built-in out-of-order screen;
//   - pagestate.go: what a page may read of the state.
//
// The platform glue is in kiosk/browser/webkit (WebKitGTK, cgo) and
// kiosk/browser/webview2 (Windows): the only packages with cgo. See
// docs/shell.md.
package browser
