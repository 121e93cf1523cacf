//go:build webview && !race

package kiosk_test

const raceEnabled = false
