//go:build e2e

package portal_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/portal"
)

// TestBrowser_HelpPageAsksFirst: any page may open the "Besoin d'aide"
// page (http://kiosk.invalid/aide); loading it, or a script's click on its
// button, asks nobody. The resident's own press does.
func TestBrowser_HelpPageAsksFirst(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	do(t, ctx,
		initScript(fakeShell(`{"state":"active","lang":"fr"}`)),
		chromedp.Navigate("http://kiosk.invalid/aide?site=www.caf.fr"),
		poll(`document.readyState === 'complete' && !!document.querySelector('button[data-help]')`),
		js(`document.querySelector('button[data-help]').click()`),
	)
	calls := eval[[]string](t, ctx, `window.__calls`)
	sent := eval[bool](t, ctx, `!document.getElementById('help-sent').hidden`)
	if strings.Contains(strings.Join(calls, ","), "kioskHelp") || sent {
		t.Fatalf("help page loaded and clicked by a script: calls %v, « agent told » shown %v; want no kioskHelp and nothing shown", calls, sent)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`button[data-help]`)),
		poll(`!document.getElementById('help-sent').hidden`),
	)
	if calls := eval[[]string](t, ctx, `window.__calls`); strings.Join(calls, ",") != "kioskHelp" {
		t.Errorf("after the resident's press: calls %v, want kioskHelp", calls)
	}
	checkTargets(t, ctx, "aide")
}
