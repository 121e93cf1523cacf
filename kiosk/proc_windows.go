//go:build !webview

package kiosk

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing on Windows.
// TODO(shell): put the browser in a job object so WebView2's processes die with it.
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the browser process.
func killProcessGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
