package browser

// displayView is the part of the view that applies the display settings
// (kiosk/browser/webkit). A view without it (the tests' fake) changes
// nothing on screen.
type displayView interface {
	// SetZoom sets the page zoom (1 is 100 %); WebKit keeps it across
	// navigations of the view.
	SetZoom(level float64)
	// SetUserStyles replaces the kiosk's user style sheets: all applies to
	// every page, portal to the portal's pages only; "" removes one.
	SetUserStyles(all, portal string)
}

// changeDisplay answers kioskDisplay(change) (main loop): it applies the
// change to the view and answers with the new settings.
func (b *Browser) changeDisplay(id, change string) {
	if change != "" {
		if err := b.disp.change(change); err != nil {
			b.l.Warn("display change refused", "err", err)
			b.reply(id, false, jsonString(refusedDisplayChange))
			return
		}
		b.l.Info("display changed", "change", change, "zoom", zoomSteps[b.disp.step])
		b.applyDisplay()
	}
	b.reply(id, true, b.disp.json())
}

// applyDisplay sets the view's zoom and style sheets to the session's
// settings (main loop).
func (b *Browser) applyDisplay() {
	if dv, ok := b.v.(displayView); ok {
		dv.SetZoom(zoomSteps[b.disp.step])
		dv.SetUserStyles(b.disp.styles())
	}
	b.pushDisplay()
}

// pushDisplay tells the toolbar of the page shown the display settings
// (main loop): its contrast, the portal page's class, the buttons' state.
func (b *Browser) pushDisplay() {
	if b.disp != (display{}) {
		b.v.ToolbarEval(b.disp.pushJS())
	}
}
