// Package kiosk is the shell's supervisor (`kiosk shell`): pure Go, no cgo.
//
// It creates a fresh private profile directory for each resident session
// (wipe.go), starts one browser process in it (kiosk-browser, child.go:
// kiosk/browser with kiosk/browser/webkit or kiosk/browser/webview2),
// watches it with a heartbeat, and at the end of the session removes the
// directory, checks that it is gone and reports the wipe to the service
// before it starts the next browser process (supervisor.go). It also
// clears the printer's queue after each session (printqueue.go).
//
// The supervisor never maps GTK or WebKit: only kiosk-browser does. The
// shell reaches the service only through its local HTTP API (api.go,
// docs/api.md), which the browser process uses too, and its proxy. See
// docs/shell.md.
package kiosk
