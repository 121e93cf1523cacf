package browser

import "github.com/communes/kiosk/kiosk"

// Read-aloud is WebKitGTK's only: on Windows the toolbar shares the page's
// script world, where a site's script could call kioskSpeak, so the
// WebView2 shell has no "Écouter" (docs/shell.md, "Read-aloud").

// speak answers kioskSpeak: unavailable.
func (b *Browser) speak(c *bindingCall) {
	b.reply(c.id, false, jsonString(refusedSpeechOff))
}

func (b *Browser) stopSpeech(string)           {}
func (b *Browser) speechState(st *kiosk.State) {}
