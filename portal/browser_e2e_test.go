//go:build e2e

package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/portal"
)

// sitePage is a site with a fixed header at the top, as many have.
const sitePage = `<!doctype html><html><head><meta charset="utf-8"><title>site</title>
<style>body{margin:0;font:16px sans-serif}#hdr{position:fixed;top:0;left:0;right:0;height:50px;background:#eee}
#first{margin-top:50px;padding:0}</style></head>
<body><div id="hdr">header</div><p id="first">first line of the page</p></body></html>`

// fakeShell defines the shell's bindings as the webview would, recording
// the calls in window.__calls. state is the JSON state object kioskState
// returns.
func fakeShell(state string) string {
	return `window.__calls = [];
window.__state = ` + state + `;
['kioskStart','kioskEnd','kioskHome','kioskBack','kioskHelp','kioskContinue','kioskSatisfaction','kioskActivity'].forEach(function (n) {
  window[n] = function (a) { window.__calls.push(a === undefined ? n : n + ':' + a); return Promise.resolve(window.__state); };
});
window.kioskState = function () { return Promise.resolve(window.__state); };`
}

// browser starts Debian's chromium with the test server as its HTTP proxy
// (the test server answers absolute-form requests: kiosk.invalid goes to
// the portal, every other host gets sitePage). It fails when chromium is
// missing: make test installs it.
func browser(t *testing.T, h *portal.Handler, width, height int) context.Context {
	t.Helper()
	return chromiumVia(t, h, sitePage, width, height, 60*time.Second)
}

// chromiumVia starts Debian's chromium at width×height behind a test proxy:
// kiosk.invalid is the portal h, /blocked-here on any host the proxy's
// blocked page, every other page site. The context ends after timeout.
func chromiumVia(t *testing.T, h *portal.Handler, site string, width, height int, timeout time.Duration) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found (make test installs it): %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Host == "kiosk.invalid":
			h.ServeHTTP(w, r)
		case r.URL.Path == "/blocked-here":
			h.Blocked(w, r, r.URL.Host)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, site)
		}
	}))
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.ProxyServer(srv.URL),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.WindowSize(width, height),
		chromedp.NoSandbox, // CI runs as root
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { tcancel(); cancel(); acancel() })
	return ctx
}

// do runs the steps in order and fails the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates expr in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %.60q: %v", expr, err)
	}
	return v
}

// js runs a script whose value does not matter.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr+";null")(ctx, t)
		return err
	})
}

// poll waits until expr is true in the page.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		return err
	})
}

// initScript runs src in every new document before the page's scripts.
func initScript(src string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error { return addInit(ctx, src) })
}

// sizesJS returns, for every button and link of the document (and of the
// toolbar's shadow root), its height and font size.
const sizesJS = `(function () {
  var out = [];
  function walk(root) {
    root.querySelectorAll('a,button').forEach(function (e) {
      var r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) { return; }
      out.push({text: e.textContent.trim().slice(0, 30), h: r.height, w: r.width, font: parseFloat(getComputedStyle(e).fontSize)});
    });
  }
  walk(document);
  var tb = document.querySelector('kiosk-toolbar');
  if (tb && tb.shadowRoot) { walk(tb.shadowRoot); }
  return out;
})()`

type size struct {
	Text string
	H, W float64
	Font float64
}

func checkTargets(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	sizes := eval[[]size](t, ctx, sizesJS)
	if len(sizes) == 0 {
		t.Fatalf("%s: no buttons or links measured", where)
	}
	for _, s := range sizes {
		if s.H < 48 || s.W < 48 || s.Font < 20 {
			t.Errorf("%s: %q is %.0fx%.0f px with %.0f px text, want >= 48x48 and >= 20 px", where, s.Text, s.W, s.H, s.Font)
		}
	}
}

func TestBrowser_WelcomeArabic(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 900)
	do(t, ctx, chromedp.Navigate("http://kiosk.invalid/?lang=ar"))
	dir := eval[string](t, ctx, `getComputedStyle(document.body).direction`)
	title := eval[string](t, ctx, `document.title`)
	if dir != "rtl" || title != "مرحبًا" {
		t.Errorf("arabic welcome: direction %q title %q, want rtl مرحبًا", dir, title)
	}
	checkTargets(t, ctx, "welcome ar")
}

func TestBrowser_StartThenHome(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 900)
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/?lang=tr"),
		js(fakeShell(`{"state":"active","lang":"tr","remaining_s":2700}`)+
			`; window.kioskStart = function (l) { sessionStorage.setItem('started', l); return Promise.resolve(window.__state); }`),
		chromedp.Click(chromedp.CSS(`a.btn.big`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.tiles`)),
	)
	loc := eval[string](t, ctx, `location.href`)
	started := eval[string](t, ctx, `sessionStorage.getItem('started')`)
	if loc != "http://kiosk.invalid/home?lang=tr" || started != "tr" {
		t.Errorf("after Başla: at %q with kioskStart(%q), want the home page in Turkish after kioskStart(tr)", loc, started)
	}
}

func TestBrowser_ToolbarReservesItsSpace(t *testing.T) {
	for _, tc := range []struct {
		lang, dir, endText string
		width              int
	}{
		{"fr", "ltr", "Terminer ma session", 1280},
		{"ar", "rtl", "إنهاء جلستي", 1280},
		{"pt", "ltr", "Terminar a minha sessão", 1024},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			h := newHandler(t, portal.Config{})
			ctx := browser(t, h, tc.width, 800)
			state := `{"state":"active","lang":"` + tc.lang + `","remaining_s":2400,"version":3}`
			do(t, ctx,
				initScript(fakeShell(state)+"\n"+string(h.ToolbarJS())),
				chromedp.Navigate("http://www.site.test/page"),
				poll(`(function(){var tb=document.querySelector('kiosk-toolbar');var b=tb&&tb.shadowRoot.querySelector('.bar');return !!b&&!b.hidden&&parseFloat(getComputedStyle(document.getElementById('hdr')).top)>0})()`),
			)
			type geometry struct {
				BarBottom, HeaderTop, FirstTop float64
				Dir, End, Time                 string
				Overflow                       bool
			}
			geo := eval[geometry](t, ctx, `(function(){
  var sr = document.querySelector('kiosk-toolbar').shadowRoot, bar = sr.querySelector('.bar');
  return {BarBottom: bar.getBoundingClientRect().bottom,
    HeaderTop: document.getElementById('hdr').getBoundingClientRect().top,
    FirstTop: document.getElementById('first').getBoundingClientRect().top,
    Dir: getComputedStyle(bar).direction, End: sr.querySelector('.end').textContent,
    Time: sr.querySelector('.time').textContent,
    Overflow: bar.scrollWidth > bar.clientWidth};
})()`)
			if geo.HeaderTop < geo.BarBottom || geo.FirstTop < geo.BarBottom {
				t.Errorf("toolbar covers the page: bar bottom %.0f, fixed header top %.0f, first line top %.0f", geo.BarBottom, geo.HeaderTop, geo.FirstTop)
			}
			if geo.Dir != tc.dir || geo.End != tc.endText || !strings.Contains(geo.Time, "40") {
				t.Errorf("toolbar: dir %q end %q time %q, want %s %q and 40 min", geo.Dir, geo.End, geo.Time, tc.dir, tc.endText)
			}
			if geo.Overflow {
				t.Errorf("toolbar overflows at %d px wide", tc.width)
			}
			checkTargets(t, ctx, "toolbar "+tc.lang)
		})
	}
}

func TestBrowser_CountdownAndEnd(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	state := `{"state":"countdown","lang":"fr","remaining_s":2000,"countdown_s":25,"version":4}`
	do(t, ctx,
		initScript(fakeShell(state)+"\n"+string(h.ToolbarJS())),
		chromedp.Navigate("http://www.site.test/"),
		poll(`(function(){var tb=document.querySelector('kiosk-toolbar');return !!tb&&!tb.shadowRoot.querySelector('.idle').hidden})()`),
	)
	text := eval[string](t, ctx, `document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.idle').textContent`)
	if !strings.Contains(text, "Vous êtes toujours là ?") || !strings.Contains(text, "Continuer") {
		t.Errorf("countdown overlay text %q", text)
	}
	// The overlay covers the whole page.
	if top := eval[string](t, ctx, `document.elementFromPoint(640, 600).tagName`); top != "KIOSK-TOOLBAR" {
		t.Errorf("element at the centre during the countdown: %s, want the overlay", top)
	}
	// A script's clicks (untrusted events) do nothing; the resident's
	// presses (trusted, here through the DevTools protocol's input) act.
	eval[bool](t, ctx, `window.__state = {"state":"active","lang":"fr","remaining_s":2000,"version":5};
var sr = document.querySelector('kiosk-toolbar').shadowRoot;
sr.querySelector('.continue').click();
sr.querySelector('.end').click();
true`)
	press := func(sel string) {
		t.Helper()
		xy := eval[[]float64](t, ctx, `(function () {
  var b = document.querySelector('kiosk-toolbar').shadowRoot.querySelector('`+sel+`').getBoundingClientRect();
  return [b.left + b.width / 2, b.top + b.height / 2];
})()`)
		do(t, ctx, chromedp.MouseClickXY(xy[0], xy[1]))
	}
	press(".continue")
	press(".end")
	press(".yes")
	calls := eval[[]string](t, ctx, `window.__calls.filter(function (c) { return c !== 'kioskActivity' && c !== 'kioskState'; })`)
	if strings.Join(calls, ",") != "kioskContinue,kioskEnd" {
		t.Errorf("calls %v, want kioskContinue then kioskEnd (after the confirmation), none from the script's clicks", calls)
	}
}

func TestBrowser_BlockedOnSiteOrigin(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	do(t, ctx,
		chromedp.Navigate("http://evil.example/blocked-here"),
		js(fakeShell(`{"state":"active"}`)),
		chromedp.Click(chromedp.CSS(`button[data-help]`)),
	)
	calls := eval[[]string](t, ctx, `window.__calls`)
	visible := eval[bool](t, ctx, `!document.getElementById('help-sent').hidden`)
	if strings.Join(calls, ",") != "kioskHelp" || !visible {
		t.Errorf("blocked page: calls %v, confirmation shown %v; want kioskHelp and true (inline script allowed by CSP)", calls, visible)
	}
	checkTargets(t, ctx, "blocked")
}

func TestBrowser_Satisfaction(t *testing.T) {
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	do(t, ctx,
		chromedp.Navigate("http://kiosk.invalid/end?lang=es"),
		js(fakeShell(`{"state":"ending"}`)),
		chromedp.Click(chromedp.CSS(`button[data-answer="en_partie"]`)),
	)
	calls := eval[[]string](t, ctx, `window.__calls`)
	thanks := eval[bool](t, ctx, `!document.getElementById('thanks').hidden`)
	if strings.Join(calls, ",") != "kioskSatisfaction:en_partie" || !thanks {
		t.Errorf("end page: calls %v thanks %v", calls, thanks)
	}
}

// addInit runs src in the top frame of every new document, before the
// page's scripts: what webview Init does in the shell.
func addInit(ctx context.Context, src string) error {
	src = "if (window.top === window) {\n" + src + "\n}"
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
	return err
}

func TestBrowser_ToolbarUnderStrictCSP(t *testing.T) {
	// The portal's own pages have a hash-only CSP, as many sites do: the
	// toolbar's styles must still apply.
	h := newHandler(t, portal.Config{})
	ctx := browser(t, h, 1280, 800)
	state := `{"state":"active","lang":"en","remaining_s":600,"version":3}`
	do(t, ctx,
		initScript(fakeShell(state)+"\n"+string(h.ToolbarJS())),
		chromedp.Navigate("http://kiosk.invalid/home?lang=en"),
		poll(`(function(){var tb=document.querySelector('kiosk-toolbar');var b=tb&&tb.shadowRoot.querySelector('.bar');return !!b&&!b.hidden})()`),
	)
	type geometry struct {
		BarHeight, H1Top float64
		Position, Bg     string
	}
	geo := eval[geometry](t, ctx, `(function(){
  var bar = document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.bar'), cs = getComputedStyle(bar);
  return {BarHeight: bar.getBoundingClientRect().height, H1Top: document.querySelector('h1').getBoundingClientRect().top,
    Position: cs.position, Bg: cs.backgroundColor};
})()`)
	if geo.Position != "fixed" || geo.BarHeight != 76 || geo.Bg != "rgb(16, 16, 90)" || geo.H1Top < 76 {
		t.Errorf("toolbar under CSP: %+v, want a styled fixed 76 px bar above the page", geo)
	}
	checkTargets(t, ctx, "home with toolbar")
}
