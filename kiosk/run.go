//go:build webview && linux

package kiosk

import "context"

// Run runs the shell's supervisor until ctx is done: one browser process per
// resident session, each in a fresh profile wiped before the next.
func Run(ctx context.Context, conf *Config) error { return runSupervisor(ctx, conf) }

// Available is true: this build has the webview shell.
const Available = true
