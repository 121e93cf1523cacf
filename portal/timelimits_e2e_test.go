//go:build e2e

package portal_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/portal"
)

// timeWholeJS is true when the toolbar's "Temps restant" and the time
// left are wholly inside the bar's time box (not cut by an ellipsis).
const timeWholeJS = `(function () {
  var sr = document.querySelector('kiosk-toolbar').shadowRoot, box = sr.querySelector('.time').getBoundingClientRect();
  return Array.prototype.every.call(sr.querySelectorAll('.time .label, .time .value'), function (e) {
    var r = e.getBoundingClientRect();
    return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5 && e.scrollWidth <= e.clientWidth + 1;
  });
})()`

// TestBrowser_TimeLimits checks WCAG 2.2.1 (timing adjustable) on the
// toolbar, in the 7 languages: 5 minutes before the session's limit the
// warning shows in the session's language, in a live region (announced by
// a screen reader), with the time left in the bar marked; the time left
// shows whole in a supervised session too (the agent's name beside it
// once hid it); the idle
// countdown ("Vous êtes toujours là ?") goes away with one touch on
// "Continuer", which extends the session (kioskContinue, once), and does
// not come back.
func TestBrowser_TimeLimits(t *testing.T) {
	h := axeHandler(t)
	ctx := axeBrowser(t, h, 1280, 800)
	var initID page.ScriptIdentifier
	n := 0
	load := func(state string) {
		t.Helper()
		n++
		setInit(t, ctx, &initID, nativeFake+"\nwindow.__state = "+state+";\nwindow.__display = {zoom: 1};\n"+string(h.ToolbarJS()))
		do(t, ctx, chromedp.Navigate(fmt.Sprintf("http://www.demarche.test/form?n=%d", n)))
	}
	type banner struct {
		Shown      bool
		Text, Role string
		Live, Lang string
		Low        bool
	}
	for _, l := range portal.Languages {
		t.Run(l.Code, func(t *testing.T) {
			// The warning, 5 minutes before the end.
			load(`{"state":"active","lang":"` + l.Code + `","remaining_s":300,"warning":true,"version":1}`)
			afterNav(t, ctx, inShadow("kiosk-toolbar", ".banner"))
			b := eval[banner](t, ctx, `(function () {
  var sr = document.querySelector('kiosk-toolbar').shadowRoot, p = sr.querySelector('.banner p');
  var live = p.closest('[role=status],[aria-live]');
  return {Shown: p.getClientRects().length > 0, Text: p.textContent, Role: live ? live.getAttribute('role') || '' : '',
    Live: live ? live.getAttribute('aria-live') || '' : '', Lang: p.closest('[lang]') ? p.closest('[lang]').lang : '',
    Low: sr.querySelector('.time').classList.contains('low')};
})()`)
			want := strings.Replace(portal.Message(l.Code, "warn.text"), "{n}", "5", 1)
			if !b.Shown || b.Text != want || b.Lang != l.Code || !b.Low {
				t.Errorf("time warning: %+v, want %q shown in %s and the time left marked", b, want, l.Code)
			}
			if !eval[bool](t, ctx, timeWholeJS) {
				t.Errorf("time warning: the time left is not wholly shown in the bar")
			}
			if b.Role != "status" && b.Live != "polite" {
				t.Errorf("time warning: role %q aria-live %q, want a live region (role=status)", b.Role, b.Live)
			}

			// A supervised session: the agent's name does not push the
			// time left out of the bar.
			load(`{"state":"active","lang":"` + l.Code + `","remaining_s":4200,"supervised":true,"agent":"Marie-Christine Dupont-Laurent","version":1}`)
			afterNav(t, ctx, inShadow("kiosk-toolbar", ".time .with"))
			type timeBox struct {
				Value, With string
				Whole       bool
			}
			tb := eval[timeBox](t, ctx, `(function () {
  var sr = document.querySelector('kiosk-toolbar').shadowRoot;
  return {Value: sr.querySelector('.time .value').textContent, With: sr.querySelector('.time .with').textContent, Whole: `+timeWholeJS+`};
})()`)
			if wantWith := strings.Replace(portal.Message(l.Code, "bar.supervised"), "{name}", "Marie-Christine Dupont-Laurent", 1); !tb.Whole || tb.With != wantWith || !strings.Contains(tb.Value, "70") {
				t.Errorf("supervised session: %+v, want %q and the time left (70 min) wholly shown", tb, wantWith)
			}

			// The idle countdown: one touch on "Continuer".
			load(`{"state":"countdown","lang":"` + l.Code + `","remaining_s":2000,"countdown_s":30,"version":1}`)
			afterNav(t, ctx, inShadow("kiosk-toolbar", ".idle .continue"))
			title := eval[string](t, ctx, `document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.idle h2').textContent`)
			if want := portal.Message(l.Code, "idle.title"); title != want {
				t.Errorf("countdown title %q, want %q", title, want)
			}
			polls := `window.__native.filter(function (c) { return c === 'kioskState'; }).length`
			before := eval[int](t, ctx, polls)
			tapIn(t, ctx, "kiosk-toolbar", ".continue")
			afterNav(t, ctx, `!`+inShadow("kiosk-toolbar", ".idle")+` && `+inShadow("kiosk-toolbar", ".bar"))
			// Two polls later (1 s each) it is still gone: the session goes on.
			do(t, ctx, poll(fmt.Sprintf("%s >= %d", polls, before+2)))
			if shown := eval[bool](t, ctx, inShadow("kiosk-toolbar", ".idle")); shown {
				t.Errorf("the countdown came back after Continuer")
			}
			if c := eval[int](t, ctx, `window.__native.filter(function (c) { return c === 'kioskContinue'; }).length`); c != 1 {
				t.Errorf("one touch on Continuer called kioskContinue %d times, want 1", c)
			}
		})
	}
}
