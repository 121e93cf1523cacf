//go:build webview

package main

import (
	"github.com/communes/kiosk/kiosk/browser"
	"github.com/communes/kiosk/kiosk/browser/webkit"
)

// runBrowser is WebKitGTK's browser process.
func runBrowser(conf *browser.Config) error { return webkit.Run(conf) }
