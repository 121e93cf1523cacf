//go:build webview && (linux || windows)

package kiosk

import "context"

// Run runs the shell's supervisor until ctx is done: one browser process per
// resident session, each in a fresh profile wiped before the next. The
// browser process is WebKitGTK on Linux, WebView2 on Windows.
func Run(ctx context.Context, conf *Config) error { return runSupervisor(ctx, conf) }

// Available is true: this build has the webview shell.
const Available = true
