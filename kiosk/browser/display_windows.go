package browser

// changeDisplay answers kioskDisplay(change): zoom, contrast and the larger
// pointer are WebKitGTK's only (the WebView2 shell has none, docs/windows.md).
func (b *Browser) changeDisplay(id, change string) {
	if change == "" {
		b.reply(id, true, display{}.json())
		return
	}
	b.reply(id, false, jsonString(`{"error":"display settings are not available here","code":"unsupported"}`))
}
