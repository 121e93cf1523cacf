//go:build !webview

package kiosk

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing in a Windows build without the webview tag,
// which starts no browser (kiosk shell exits 2). The webview build puts the
// browser and WebView2's processes in a job object (proc_webview_windows.go).
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the browser process.
func killProcessGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
