//go:build webview && linux && race

package kiosk_test

// raceEnabled builds the kiosk binary under test with -race too, so that
// the browser process's cgo/GTK code runs under the race detector.
const raceEnabled = true
