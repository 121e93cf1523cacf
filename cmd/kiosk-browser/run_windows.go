//go:build webview

package main

import (
	"github.com/communes/kiosk/kiosk/browser"
	"github.com/communes/kiosk/kiosk/browser/webview2"
)

// runBrowser is WebView2's browser process.
func runBrowser(conf *browser.Config) error { return webview2.Run(conf) }
