//go:build e2e

package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/internal/axetest"
	kbrowser "github.com/communes/kiosk/kiosk/browser"
	"github.com/communes/kiosk/portal"
)

// The accessibility audit of every page the kiosk draws (issue 14 §4,
// docs/accessibility.md): axe-core's WCAG 2.0/2.1/2.2 A and AA rules, in
// the 7 languages, in the normal and the high-contrast mode, must find
// nothing.
//
// The pages run as in the shell: the toolbar and the on-screen keyboard
// (toolbar.js, keyboard.js) are injected at document start, talking to a
// fake of the shell's toolbar-only handler (window.webkit.messageHandlers
// .kiosk, as WebKitGTK gives it); the portal's own scripts call the page's
// bindings (fakeShell). High contrast is the shell's style sheets
// (browser.ContrastStyles: every page's, plus the portal's own on
// http://kiosk.invalid/), adopted by the document, and the toolbar's own
// high-contrast drawing (kioskDisplay). WebKit adds them as user style
// sheets, whose !important rules beat the page's; here they are the
// page's last sheet, which the portal's few !important rules (none on
// colours) do not contradict.

// axeSitePage is a site's page with a form, where the toolbar and the
// keyboard are checked. It is itself clean, so that what axe finds is the
// kiosk's.
const axeSitePage = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Démarche</title>
<style>body{margin:0;font:18px sans-serif;color:#161616;background:#fff}main{padding:16px}
input{font:inherit;padding:8px;border:2px solid #555}</style></head>
<body><main><h1>Votre démarche</h1><form><p><label for="mail">Adresse électronique</label><br>
<input id="mail" type="email" autocomplete="email"></p></form></main></body></html>`

// nativeFake is the shell's toolbar-only handler: it answers the toolbar's
// calls (kioskState, kioskDisplay: window.__display; the others: the
// state) as the shell does, through __kioskToolbarReply, and records their
// names in window.__native. "Continuer" makes the session active again,
// as the service does.
const nativeFake = `window.__native = [];
window.webkit = {messageHandlers: {kiosk: {postMessage: function (m) {
  var o = JSON.parse(m);
  window.__native.push(o.name);
  if (o.id === 'u' || o.id.charAt(0) === 'k') { return; }
  if (o.name === 'kioskContinue') { window.__state.state = 'active'; window.__state.version++; }
  var res = o.name === 'kioskDisplay' ? window.__display : window.__state;
  setTimeout(function () { window.__kioskToolbarReply(o.id, true, JSON.parse(JSON.stringify(res))); }, 0);
}}}};`

// contrastJS adopts the shell's high-contrast style sheets and tells the
// toolbar, as the shell's kioskDisplay push does on each page.
func contrastJS() string {
	all, own := kbrowser.ContrastStyles()
	a, _ := json.Marshal(all)
	p, _ := json.Marshal(own)
	return `(function () {
  var css = ` + string(a) + ` + (location.host === 'kiosk.invalid' ? ` + string(p) + ` : '');
  var s = new CSSStyleSheet();
  s.replaceSync(css);
  document.adoptedStyleSheets = document.adoptedStyleSheets.concat([s]);
  document.addEventListener('DOMContentLoaded', function () { window.kioskDisplay(window.__display); });
})();`
}

// axeBrowser starts Debian's chromium with a test server as its proxy:
// kiosk.invalid is the portal, /blocked-here the proxy's blocked page, any
// other page axeSitePage. The deadline is generous: a language's pages
// take a while on a busy machine.
func axeBrowser(t *testing.T, h *portal.Handler, width, height int) context.Context {
	t.Helper()
	ctx := chromiumVia(t, h, axeSitePage, width, height, 5*time.Minute)
	do(t, ctx, screen(width, height))
	return ctx
}

// setInit makes src the script run in the top frame of every new document,
// before the page's own (what webview Init does in the shell), in place of
// the one *id names.
func setInit(t *testing.T, ctx context.Context, id *page.ScriptIdentifier, src string) {
	t.Helper()
	if *id != "" {
		if _, err := chromedp.Call(ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: *id}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: "if (window.top === window) {\n" + src + "\n}"})
	if err != nil {
		t.Fatal(err)
	}
	*id = r.Identifier
}

// tapIn presses the centre of the element sel of host's shadow root, as
// the resident's finger would (a trusted event).
func tapIn(t *testing.T, ctx context.Context, host, sel string) {
	t.Helper()
	xy := eval[[]float64](t, ctx, fmt.Sprintf(`(function () {
  var e = document.querySelector(%q).shadowRoot.querySelector(%q), b = e.getBoundingClientRect();
  return [b.left + b.width / 2, b.top + b.height / 2];
})()`, host, sel))
	do(t, ctx, chromedp.MouseClickXY(xy[0], xy[1]))
}

// inShadow is the expression "element sel of host's shadow root is shown"
// (the keyboard is first drawn unseen: visibility counts).
func inShadow(host, sel string) string {
	return fmt.Sprintf(`(function () { var h = document.querySelector(%q), e = h && h.shadowRoot && h.shadowRoot.querySelector(%q);
  return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility === 'visible'; })()`, host, sel)
}

// axeView is one screen the audit checks: go there (load a page with the
// shell's state, or act on the current one), wait until it shows, audit.
type axeView struct {
	name  string
	url   string // "" stays on the page
	state string // the shell's state (JSON) for a page load
	act   func(t *testing.T, ctx context.Context)
	ready string
	// noTargets: the screen has no button or link (target-size has
	// nothing to measure).
	noTargets bool
	// overlay: a modal overlay covers the page (keypad, countdown, end
	// confirmation, documents): axe cannot decide the contrast of the
	// text under it ("bgOverlap"), which nobody sees.
	overlay bool
}

// axeStates are the shell's states the views use, for language lang.
func axeState(kind, lang string) string {
	switch kind {
	case "welcome":
		return `{"state":"welcome","lang":"` + lang + `","version":1}`
	case "maintenance":
		return `{"state":"welcome","lang":"` + lang + `","maintenance":true,"version":1}`
	case "ending":
		return `{"state":"ending","lang":"` + lang + `","version":1}`
	case "warning":
		return `{"state":"active","lang":"` + lang + `","remaining_s":290,"warning":true,"version":1}`
	case "countdown":
		return `{"state":"countdown","lang":"` + lang + `","remaining_s":1900,"countdown_s":28,"version":1}`
	case "supervised":
		return `{"state":"active","lang":"` + lang + `","remaining_s":4200,"supervised":true,"agent":"Marie","version":1}`
	}
	return `{"state":"active","lang":"` + lang + `","remaining_s":2400,"version":1}`
}

// axeViews are the screens of the kiosk in language lang.
func axeViews(lang string) []axeView {
	p := portal.Base
	tb, kb := "kiosk-toolbar", "kiosk-keyboard"
	press := func(host, sel string) func(*testing.T, context.Context) {
		return func(t *testing.T, ctx context.Context) { tapIn(t, ctx, host, sel) }
	}
	click := func(sel string) func(*testing.T, context.Context) {
		return func(t *testing.T, ctx context.Context) { do(t, ctx, chromedp.Click(chromedp.CSS(sel))) }
	}
	run := func(src string) func(*testing.T, context.Context) {
		return func(t *testing.T, ctx context.Context) { do(t, ctx, js(src)) }
	}
	bar := inShadow(tb, ".bar")
	return []axeView{
		{name: "welcome", url: p + "?lang=" + lang, state: axeState("welcome", lang), ready: `!!document.querySelector('section.group')`},
		{name: "keypad (unlock)", act: click(`a[data-unlock]`), ready: `!document.getElementById('keypad').hidden`, overlay: true},
		{name: "maintenance", url: p + "?lang=" + lang, state: axeState("maintenance", lang), ready: `!document.getElementById('maintenance').hidden`},
		{name: "sites", url: p + "home?lang=" + lang, state: axeState("active", lang), ready: bar + ` && !!document.querySelector('ul.tiles')`},
		{name: "blocked", url: p + "blocked?host=cdn.example.fr&lang=" + lang, state: axeState("active", lang), ready: bar},
		{name: "blocked: help asked, keypad (override)", act: click(`button[data-help]`), ready: `!document.getElementById('help-sent').hidden && !document.getElementById('keypad').hidden`, overlay: true},
		{name: "blocked by the proxy", url: "http://cdn.example.fr/blocked-here?lang=" + lang, state: axeState("active", lang), ready: bar},
		{name: "help page", url: p + "aide?lang=" + lang, state: axeState("active", lang), ready: bar},
		{name: "help confirmation", act: click(`button[data-help]`), ready: `!document.getElementById('help-sent').hidden`},
		{name: "end question", url: p + "end?lang=" + lang, state: axeState("ending", lang), ready: `!!document.querySelector('button[data-answer]')`},
		{name: "end thanks", act: click(`button[data-answer="oui"]`), ready: `!document.getElementById('thanks').hidden`, noTargets: true},
		{name: "out of order", url: p + "out-of-order?lang=" + lang, state: axeState("welcome", lang), ready: `!!document.querySelector('h1')`, noTargets: true},
		{name: "not found", url: p + "nope?lang=" + lang, state: axeState("active", lang), ready: bar},
		{name: "toolbar", url: "http://www.demarche.test/form", state: axeState("active", lang), ready: bar},
		{name: "toolbar: display panel", act: press(tb, ".display"), ready: inShadow(tb, ".panel")},
		{name: "toolbar: help sent", act: press(tb, ".help"), ready: inShadow(tb, ".banner")},
		{name: "toolbar: end confirmation", act: press(tb, ".end"), ready: inShadow(tb, ".confirm"), overlay: true},
		{name: "toolbar: print asked", act: func(t *testing.T, ctx context.Context) {
			tapIn(t, ctx, tb, ".no")
			do(t, ctx, js(`window.kioskNotice('print.ask')`))
		}, ready: inShadow(tb, ".print") + ` && !` + inShadow(tb, ".confirm")},
		{name: "toolbar: attach a document", act: run(`window.kioskDocuments({open: true, multipage: true, docs: [{id: 1, n: 1, at: '10:42', pages: 1}, {id: 2, n: 2, at: '10:44', pages: 3}]})`),
			ready: inShadow(tb, ".docs-overlay .attach"), overlay: true},
		{name: "toolbar: time warning", url: "http://www.demarche.test/form", state: axeState("warning", lang), ready: inShadow(tb, ".banner")},
		{name: "toolbar: supervised session", url: "http://www.demarche.test/form", state: axeState("supervised", lang), ready: bar},
		{name: "countdown", url: "http://www.demarche.test/form", state: axeState("countdown", lang), ready: inShadow(tb, ".idle"), overlay: true},
		{name: "keyboard (AZERTY)", url: "http://www.demarche.test/form", state: axeState("active", lang),
			act: func(t *testing.T, ctx context.Context) {
				do(t, ctx, poll(bar), chromedp.Click(chromedp.CSS(`#mail`)))
				tapIn(t, ctx, tb, ".keyboard")
			},
			ready: inShadow(kb, ".kbd.azerty")},
		{name: "keyboard (capitals)", act: press(kb, "button.shift"), ready: inShadow(kb, ".kbd[data-shift='1']")},
		{name: "keyboard (digits)", act: press(kb, "button.digits"), ready: inShadow(kb, ".kbd.digits")},
		{name: "keyboard (letters of " + lang + ")", act: func(t *testing.T, ctx context.Context) {
			tapIn(t, ctx, kb, "button.letters")
			do(t, ctx, poll(inShadow(kb, ".kbd.azerty")))
			tapIn(t, ctx, kb, "button.other")
		}, ready: inShadow(kb, ".kbd.other")},
	}
}

// checkUndecided fails for text whose contrast axe could not decide
// (Result.UndecidedContrast), except, on a screen with a modal overlay,
// the page's text it covers ("bgOverlap") and the text of the overlay's
// scrolling card, whose lines axe's layout grid puts over different stacks
// ("elmPartiallyObscuring"; the browser's own elementsFromPoint finds the
// card under every line).
func checkUndecided(t *testing.T, where string, r *axetest.Result, overlay bool) {
	t.Helper()
	var allowed []string
	if overlay {
		allowed = []string{"bgOverlap", "elmPartiallyObscuring"}
	}
	for _, n := range r.UndecidedContrast(allowed...) {
		t.Errorf("%s: axe could not decide the contrast of %v (%v): %s", where, n.Target, n.Why, n.HTML)
	}
}

// axeHandler is the portal with the shipped allowlist (its 25 tiles and
// icons) in mixed mode (both start buttons).
func axeHandler(t *testing.T) *portal.Handler {
	t.Helper()
	l, err := allowlist.Load(filepath.Join("..", "allowlist.yaml"))
	if err != nil {
		t.Fatalf("loading the shipped allowlist: %v", err)
	}
	h, err := portal.New(&portal.Config{
		Allowlist: func() *allowlist.List { return l },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Mode:      "mixed",
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAxe_Portal audits every screen of axeViews in every language, in
// the normal and the high-contrast mode: 0 violations.
func TestAxe_Portal(t *testing.T) {
	engine := axetest.Load(t)
	if len(portal.Languages) != 7 {
		t.Fatalf("%d languages, the audit expects the 7 of the issue", len(portal.Languages))
	}
	h := axeHandler(t)
	checked := 0
	undecided := map[string]int{} // rule -> elements axe could not decide ("needs review")
	for _, l := range portal.Languages {
		for _, hc := range []bool{false, true} {
			mode := "normal"
			if hc {
				mode = "contrast"
			}
			t.Run(l.Code+"/"+mode, func(t *testing.T) {
				ctx := axeBrowser(t, h, 1280, 800)
				var initID page.ScriptIdentifier
				for _, v := range axeViews(l.Code) {
					if v.url != "" {
						boot := nativeFake + "\nwindow.__state = " + v.state + ";\n" +
							fmt.Sprintf("window.__display = {zoom: 1, min_zoom: true, max_zoom: false, contrast: %v, pointer: false};\n", hc) +
							fakeShell(v.state)
						if hc {
							boot += "\n" + contrastJS()
						}
						setInit(t, ctx, &initID, boot+"\n"+string(h.ToolbarJS()))
						// A new URL each time: a load of the URL shown
						// could be taken for the one before.
						sep := "?"
						if strings.Contains(v.url, "?") {
							sep = "&"
						}
						do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s%sn=%d", v.url, sep, checked)))
						afterNav(t, ctx, `document.readyState === 'complete'`)
					}
					if v.act != nil {
						v.act(t, ctx)
					}
					afterNav(t, ctx, v.ready)
					if hc {
						if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(0, 0, 0)" {
							t.Fatalf("%s: high contrast not applied: body background %s", v.name, bg)
						}
					}
					var nothingFor []string
					if v.noTargets {
						nothingFor = []string{"target-size"}
					}
					// axe lays out the page from <body>: the toolbar and the
					// keyboard, children of <html> (a site may replace its
					// body), go inside it for the audit, where they draw the
					// same (fixed, all:initial), or axe decides nothing of
					// their contrast.
					do(t, ctx, js(`['kiosk-toolbar', 'kiosk-keyboard'].forEach(function (n) { var e = document.querySelector(n); if (e) { document.body.appendChild(e); } })`))
					r := engine.Check(t, ctx, l.Code+"/"+mode+": "+v.name, nothingFor...)
					checkUndecided(t, l.Code+"/"+mode+": "+v.name, r, v.overlay)
					for _, in := range r.Incomplete {
						undecided[in.ID] += len(in.Nodes)
						if testing.Verbose() {
							for _, n := range in.Nodes {
								t.Logf("%s/%s: %s: undecided %s %v %v: %.80s", l.Code, mode, v.name, in.ID, n.Why, n.Target, n.HTML)
							}
						}
					}
					checked++
				}
			})
		}
	}
	t.Logf("axe-core %s (%s): %d screens checked (%d views x %d languages x 2 modes)",
		engine.Version, strings.Join(axetest.Tags, ","), checked, len(axeViews("fr")), len(portal.Languages))
	t.Logf("undecided by axe (needs review): %v", undecided)
}
