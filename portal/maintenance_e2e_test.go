//go:build e2e

package portal_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/communes/kiosk/portal"
)

// TestBrowser_StartRefusedForMaintenance: the service refuses the
// resident's "Commencer" while drained for maintenance; the welcome
// screen then shows the maintenance screen instead of the start buttons.
func TestBrowser_StartRefusedForMaintenance(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 900)
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/?lang=fr"),
		js(fakeShell(`{"state":"welcome","lang":"fr","maintenance":true}`)+
			`; window.kioskStart = function () { window.__calls.push('kioskStart'); return Promise.reject(new Error('maintenance')); }`),
		chromedp.Click(chromedp.CSS(`a.btn.big[data-start]`)),
		poll(`!document.getElementById('maintenance').hidden`),
	)
	text := eval[string](t, ctx, `document.getElementById('maintenance').textContent`)
	startShown := eval[bool](t, ctx, `!!document.querySelector('p.start') && !document.querySelector('p.start').hidden`)
	loc := eval[string](t, ctx, `location.href`)
	if text != "Borne en maintenance : elle redémarre dans quelques instants. Merci de patienter." || startShown || loc != "http://kiosk.invalid/?lang=fr" {
		t.Errorf("after a refused Commencer: maintenance %q, start buttons shown %v, at %q; want the maintenance text, no start buttons, still on welcome", text, startShown, loc)
	}
}
