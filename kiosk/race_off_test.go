//go:build webview && linux && !race

package kiosk_test

const raceEnabled = false
