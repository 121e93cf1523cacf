//go:build !webview || !(linux || windows)

package kiosk

import "context"

// ErrCrashed is returned by RunBrowser when the web process died.
var ErrCrashed = ErrNoWebview

// Run returns ErrNoWebview: this build has no browser.
func Run(context.Context, *Config) error { return ErrNoWebview }

// RunBrowser returns ErrNoWebview: this build has no browser.
func RunBrowser(*BrowserConfig) error { return ErrNoWebview }

// Available is false: this build has no webview shell.
const Available = false
