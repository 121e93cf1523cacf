//go:build e2e

package portal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/portal"
)

// tap clicks the keypad keys of digits, then OK. OK is pressed from a
// timer, since it may navigate away while the click action still looks at
// the page.
func tap(digits string) []chromedp.Action[chromedp.Void] {
	var acts []chromedp.Action[chromedp.Void]
	for _, d := range digits {
		acts = append(acts, chromedp.Click(chromedp.CSS(`#keypad button[data-key="`+string(d)+`"]`)))
	}
	return append(acts, js(`setTimeout(function () { document.querySelector('#keypad button[data-key="ok"]').click(); }, 10)`))
}

// afterNav waits until expr is true in the page that replaces the current
// one (evaluation errors while the page changes are retried).
func afterNav(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	// No event to await across navigations: poll.
	wait.UntilErr(t, 10*time.Second, expr+" after a navigation", func() error {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && !v {
			err = errors.New("false")
		}
		return err
	})
}

// keypadFits is true when the keypad card is on screen and would still
// fit below the toolbar's 76 px (the toolbar moves fixed elements down).
const keypadFits = `(function(){var r=document.querySelector('.keypad-card').getBoundingClientRect();return r.top>=0&&r.bottom<=innerHeight&&r.height<=innerHeight-76&&r.left>=0&&r.right<=innerWidth})()`

// keypadFake adds the agent bindings to fakeShell: kioskUnlock and
// kioskOverride answer with the next of window.__answers (a JSON error
// body rejects, "ok" resolves) and record their arguments in
// sessionStorage (it survives the navigation that follows).
const keypadFake = `
window.__answers = [];
function __next(name, args) {
  var log = JSON.parse(sessionStorage.getItem('pins') || '[]');
  log.push(name + ':' + args.join(','));
  sessionStorage.setItem('pins', JSON.stringify(log));
  var a = window.__answers.shift() || 'ok';
  return a === 'ok' ? Promise.resolve(window.__state) : Promise.reject(a);
}
window.kioskUnlock = function (pin, lang) { return __next('kioskUnlock', [pin, lang]); };
window.kioskOverride = function (pin, host) { return __next('kioskOverride', [pin, host]); };`

func TestBrowser_KeypadUnlockArabic(t *testing.T) {
	h := newHandler(t, portal.Config{Mode: "mixed"})
	ctx := browser(t, h, 1280, 900)
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/?lang=ar"),
		js(fakeShell(`{"state":"welcome","lang":"ar"}`)+keypadFake),
		chromedp.Click(chromedp.CSS(`a[data-unlock]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keypad`)),
	)
	if calls := eval[[]string](t, ctx, `window.__calls.filter(function (c) { return c !== 'kioskState'; })`); len(calls) != 0 {
		t.Errorf("opening the keypad called %v, want nothing (no session yet)", calls)
	}
	type layout struct {
		PageDir, KeysDir, DotsDir string
		One, Three, Zero, OK      float64
		Title                     string
	}
	lo := eval[layout](t, ctx, `(function(){
  function x(k) { return document.querySelector('#keypad [data-key="' + k + '"]').getBoundingClientRect().left; }
  return {PageDir: getComputedStyle(document.body).direction, KeysDir: getComputedStyle(document.querySelector('.keys')).direction,
    DotsDir: getComputedStyle(document.getElementById('pin-dots')).direction,
    One: x('1'), Three: x('3'), Zero: x('0'), OK: x('ok'), Title: document.getElementById('keypad-title').textContent};
})()`)
	if lo.PageDir != "rtl" || lo.KeysDir != "ltr" || lo.DotsDir != "ltr" || lo.One >= lo.Three || lo.Zero >= lo.OK || lo.Title != "رمز الموظف" {
		t.Errorf("arabic keypad: %+v; want an rtl page with ltr keys (1 left of 3, 0 left of OK) and the arabic title", lo)
	}
	checkTargets(t, ctx, "keypad ar")
	if !eval[bool](t, ctx, keypadFits) {
		t.Errorf("the keypad does not fit the screen")
	}
	// OK stays disabled below 6 digits; ⌫ erases; the dots mask the PIN.
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`#keypad [data-key="4"]`)),
		chromedp.Click(chromedp.CSS(`#keypad [data-key="7"]`)),
		chromedp.Click(chromedp.CSS(`#keypad [data-key="back"]`)),
	)
	if dots, dis := eval[string](t, ctx, `document.getElementById('pin-dots').textContent`), eval[bool](t, ctx, `document.querySelector('#keypad [data-key="ok"]').disabled`); dots != "●" || !dis {
		t.Errorf("after 4, 7, ⌫: dots %q, OK disabled %v; want one dot and OK disabled", dots, dis)
	}
	do(t, ctx, tap("82913")...)
	afterNav(t, ctx, `location.pathname === '/home' && document.readyState === 'complete'`)
	pins := eval[string](t, ctx, `sessionStorage.getItem('pins')`)
	if pins != `["kioskUnlock:482913,ar"]` {
		t.Errorf("bindings called: %s, want kioskUnlock(482913, ar)", pins)
	}
	if loc := eval[string](t, ctx, `location.href`); loc != "http://kiosk.invalid/home?lang=ar" {
		t.Errorf("after unlock at %s, want the Arabic home page", loc)
	}
}

func TestBrowser_KeypadWrongPINAndLockout(t *testing.T) {
	h := newHandler(t, portal.Config{Mode: "supervised-only"})
	ctx := browser(t, h, 1024, 768)
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/?lang=fr"),
		js(fakeShell(`{"state":"welcome","lang":"fr"}`)+keypadFake+
			`;window.__answers = ['{"error":"wrong PIN","code":"wrong_pin"}', '{"error":"locked","code":"locked","retry_after_s":90}']`),
		// In supervised-only mode "Commencer" opens the keypad.
		chromedp.Click(chromedp.CSS(`a.btn.big[data-start]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keypad`)),
	)
	fit := eval[bool](t, ctx, keypadFits)
	if !fit {
		t.Errorf("the keypad does not fit a 1024x768 screen: %s", eval[string](t, ctx, `JSON.stringify(document.querySelector(".keypad-card").getBoundingClientRect())`))
	}
	checkTargets(t, ctx, "keypad fr 1024x768")
	do(t, ctx, tap("111112")...)
	do(t, ctx, poll(`document.getElementById('pin-msg').textContent !== ''`))
	if msg := eval[string](t, ctx, `document.getElementById('pin-msg').textContent`); msg != "Code incorrect. Réessayez." {
		t.Errorf("after a wrong PIN: %q", msg)
	}
	if dots := eval[string](t, ctx, `document.getElementById('pin-dots').textContent`); dots != "" {
		t.Errorf("the wrong PIN stays on screen: %q", dots)
	}
	do(t, ctx, tap("111113")...)
	do(t, ctx, poll(`document.getElementById('pin-msg').textContent.indexOf('Trop') === 0`))
	msg := eval[string](t, ctx, `document.getElementById('pin-msg').textContent`)
	disabled := eval[bool](t, ctx, `document.querySelector('#keypad [data-key="5"]').disabled`)
	if msg != "Trop d’essais. Réessayez dans 2 min." || !disabled {
		t.Errorf("lockout: message %q, keys disabled %v; want « Réessayez dans 2 min » and disabled keys", msg, disabled)
	}
	if calls := eval[[]string](t, ctx, `window.__calls.filter(function (c) { return c.indexOf('kioskStart') === 0; })`); len(calls) != 0 {
		t.Errorf("supervised-only welcome called %v, want no kioskStart", calls)
	}
	// A lockout the service already holds shows when the keypad opens.
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/?lang=en"),
		js(fakeShell(`{"state":"welcome","lang":"en","pin_retry_s":99,"pin_locked_until":"`+time.Now().Add(25*time.Second).UTC().Format(time.RFC3339)+`"}`)+keypadFake),
		chromedp.Click(chromedp.CSS(`a.btn.big[data-start]`)),
		poll(`document.getElementById('pin-msg').textContent !== ''`),
	)
	if msg := eval[string](t, ctx, `document.getElementById('pin-msg').textContent`); !strings.HasPrefix(msg, "Too many attempts. Try again in 2") || !strings.HasSuffix(msg, " s.") {
		t.Errorf("keypad opened during a lockout: %q", msg)
	}
}

func TestBrowser_KeypadOverride(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	// The shell injects the toolbar: it must not cover the keypad.
	state := `{"state":"active","lang":"fr","remaining_s":2000,"version":3}`
	do(t, ctx,
		initScript(fakeShell(state)+keypadFake+"\n"+string(h.ToolbarJS())),
		chromedp.Navigate("http://evil.example/blocked-here"),
		js(`window.__marker = 1`),
		poll(`(function(){var tb=document.querySelector('kiosk-toolbar');var b=tb&&tb.shadowRoot.querySelector('.bar');return !!b&&!b.hidden})()`),
		chromedp.Click(chromedp.CSS(`button[data-help]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keypad`)),
		// The toolbar moves fixed elements below itself (debounced scan).
		poll(`document.getElementById('keypad').getBoundingClientRect().top >= 76`),
	)
	covered := eval[[]string](t, ctx, `(function(){var out=[];document.querySelectorAll('#keypad button').forEach(function(b){
  var r=b.getBoundingClientRect(), e=document.elementFromPoint(r.left+r.width/2, r.top+r.height/2);
  if (e!==b && !b.contains(e)) { out.push(b.getAttribute('data-key')); }});return out;})()`)
	if len(covered) != 0 {
		t.Errorf("keypad keys covered (by the toolbar?): %v", covered)
	}
	text := eval[string](t, ctx, `document.getElementById('keypad').textContent`)
	if !strings.Contains(text, "ouvrir le site evil.example pendant cette session") || !strings.Contains(text, "Un agent a été prévenu") {
		t.Errorf("override keypad text %q", text)
	}
	if calls := eval[[]string](t, ctx, `window.__calls.filter(function (c) { return c !== 'kioskState' && c !== 'kioskActivity'; })`); strings.Join(calls, ",") != "kioskHelp" {
		t.Errorf("« Demander à un agent » called %v, want kioskHelp (the agent is told)", calls)
	}
	// The proxy served this page at the refused URL: after the override
	// the page reloads it.
	do(t, ctx, tap("730461")...)
	afterNav(t, ctx, `window.__marker === undefined && document.readyState === 'complete'`)
	if pins := eval[string](t, ctx, `sessionStorage.getItem('pins')`); pins != `["kioskOverride:730461,evil.example"]` {
		t.Errorf("bindings called: %s, want kioskOverride(730461, evil.example)", pins)
	}
	if loc := eval[string](t, ctx, `location.href`); loc != "http://evil.example/blocked-here" {
		t.Errorf("after the override at %s, want the refused URL reloaded", loc)
	}
	// "Annuler" closes the keypad and calls nothing.
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`button[data-help]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keypad`)),
		chromedp.Click(chromedp.CSS(`#keypad [data-key="cancel"]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`#keypad`)),
	)
}

func TestBrowser_ToolbarSupervisedAndHelpTaken(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	state := `{"state":"active","lang":"es","supervised":true,"agent":"Marie","remaining_s":5000,"version":7,
"now":"2026-11-25T10:00:00Z","help_taken":true,"help":[{"id":1,"at":"2026-11-25T09:58:00Z","age_s":120,"taken_by":"Marie","taken_at":"2026-11-25T09:59:50Z"}]}`
	do(t, ctx,
		initScript(fakeShell(state)+"\n"+string(h.ToolbarJS())),
		chromedp.Navigate("http://www.site.test/"),
		poll(`(function(){var tb=document.querySelector('kiosk-toolbar');return !!tb&&!tb.shadowRoot.querySelector('.banner').hidden})()`),
	)
	type bar struct{ Time, Banner string }
	b := eval[bar](t, ctx, `(function(){var sr=document.querySelector('kiosk-toolbar').shadowRoot;
return {Time: sr.querySelector('.time').textContent, Banner: sr.querySelector('.banner').textContent};})()`)
	if !strings.Contains(b.Time, "Sesión acompañada por Marie") || b.Banner != "Un agente ha visto su solicitud y ya viene." {
		t.Errorf("toolbar: time %q banner %q; want the agent's name and « help taken »", b.Time, b.Banner)
	}
}

func TestBrowser_KeypadOpensInUnlockState(t *testing.T) {
	h := newHandler(t, portal.Config{Mode: "mixed"})
	ctx := browser(t, h, 1280, 800)
	do(t, ctx,
		initScript(fakeShell(`{"state":"unlock","lang":"pt"}`)+keypadFake),
		chromedp.Navigate("http://kiosk.invalid/?lang=pt"),
		chromedp.WaitVisible(chromedp.CSS(`#keypad`)),
	)
	if title := eval[string](t, ctx, `document.getElementById('keypad-title').textContent`); title != "Código do funcionário" {
		t.Errorf("keypad title %q, want the Portuguese one", title)
	}
}

// A shell that rejects with the API's message only still gets the right
// keypad messages.
func TestBrowser_KeypadPlainMessages(t *testing.T) {
	h := newHandler(t, portal.Config{Mode: "mixed"})
	ctx := browser(t, h, 1280, 800)
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/?lang=fr"),
		js(fakeShell(`{"state":"welcome","lang":"fr"}`)+keypadFake+
			`;window.__answers = ['wrong PIN (2 in a row)', 'too many wrong PINs: the keypad is locked for 1m0s']`),
		chromedp.Click(chromedp.CSS(`a[data-unlock]`)),
		chromedp.WaitVisible(chromedp.CSS(`#keypad`)),
	)
	do(t, ctx, tap("111112")...)
	do(t, ctx, poll(`document.getElementById('pin-msg').textContent !== ''`))
	if msg := eval[string](t, ctx, `document.getElementById('pin-msg').textContent`); msg != "Code incorrect. Réessayez." {
		t.Errorf("after « wrong PIN »: %q", msg)
	}
	do(t, ctx, tap("111113")...)
	do(t, ctx, poll(`document.getElementById('pin-msg').textContent.indexOf('Trop') === 0`))
	if msg := eval[string](t, ctx, `document.getElementById('pin-msg').textContent`); msg != "Trop d’essais. Réessayez dans 1 min." {
		t.Errorf("after « too many wrong PINs »: %q", msg)
	}
}
