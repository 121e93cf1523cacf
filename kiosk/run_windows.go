//go:build webview

package kiosk

import (
	"context"
	"errors"
)

// ErrCrashed is returned by RunBrowser when the browser process must be
// counted as a crash (a page hung, WebView2 unusable).
var ErrCrashed = errors.New("web process terminated")

// Run runs the shell's supervisor until ctx is done: one browser process per
// resident session, each in a fresh profile wiped before the next. On
// Windows the browser process is WebView2 (browser_windows.go).
func Run(ctx context.Context, conf *Config) error { return runSupervisor(ctx, conf) }

// Available is true: this build has the webview shell.
const Available = true
