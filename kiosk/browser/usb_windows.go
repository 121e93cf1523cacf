package browser

// USB keys (kiosk shell --usb) are Linux only (udisks2): the Windows
// browser has none.

// startUSB does nothing on Windows.
func (b *Browser) startUSB() {}

// holdForUSB never holds the end of the session on Windows.
func (b *Browser) holdForUSB(error) bool { return false }

// usbAction refuses the panel's USB actions on Windows.
func (b *Browser) usbAction(id, _ string, _ int) {
	b.reply(id, false, jsonString(`{"error":"no USB key on this terminal","code":"no_usb"}`))
}
