//go:build e2e

package browser

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
)

// fakeWebView2JS stands for WebView2's window.chrome.webview: it records
// what is posted.
const fakeWebView2JS = `window.__posted = [];
window.chrome = window.chrome || {};
window.chrome.webview = {postMessage: function (s) { window.__posted.push(s); }};`

const guardPageA = `<!doctype html><title>A</title>
<a id="blank" href="/b" target="_blank">b</a>
<a id="file" href="file:///etc/passwd">file</a>
<a id="data" href="data:text/html,x">data</a>
<a id="js" href="javascript:void(0)">js</a>
<a id="plain" href="/b">plain</a>`

// guardBrowser opens Chromium on a loopback site with the fake WebView2
// and the guard script installed before every document's scripts. It
// fails when chromium is missing (make test installs it).
func guardBrowser(t *testing.T) (context.Context, string) {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found (make test installs it): %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/a" {
			fmt.Fprint(w, guardPageA)
			return
		}
		fmt.Fprint(w, "<!doctype html><title>B</title>B")
	}))
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { tcancel(); cancel(); acancel() })
	for _, src := range []string{fakeWebView2JS, guardScriptFor([]string{"kioskState", "kioskStart"})} {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			t.Fatalf("adding script: %v", err)
		}
	}
	return ctx, srv.URL
}

func guardEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %.60q: %v", expr, err)
	}
	return v
}

func guardDo(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func guardPoll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, t)
		return err
	})
}

// guardWaitNav waits until the page, after a navigation it started, has
// location.pathname+search want. Evaluations fail while the page goes:
// poll with a deadline (no event says which document came).
func guardWaitNav(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`)); err == nil {
			if got = v; got == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("page at %q, want %q", got, want)
}

func TestGuardJS_Bindings(t *testing.T) {
	ctx, base := guardBrowser(t)
	guardDo(t, ctx, chromedp.Navigate(base+"/a"))
	guardEval[any](t, ctx, `window.__p = kioskStart('fr'); window.__p.then(function (v) { window.__res = v; }); null`)
	// The guard also posts _loaded at the load event: take kioskStart's.
	msg := guardEval[map[string]any](t, ctx, `window.__posted.map(JSON.parse).filter(function (m) { return m.params[1] === 'kioskStart'; })[0] || null`)
	params, _ := msg["params"].([]any)
	if msg["method"] != rawBinding || len(params) != 4 || params[1] != "kioskStart" ||
		!strings.HasSuffix(fmt.Sprint(params[2]), "/a") || fmt.Sprint(params[3]) != "[fr]" {
		t.Fatalf("posted %v, want method %s, params [id kioskStart <page>/a [fr]]", msg, rawBinding)
	}
	// The page's own scripts can no longer post, nor reach the raw binding.
	n := guardEval[float64](t, ctx, `var n0 = window.__posted.length; chrome.webview.postMessage('forged'); try { window.external.invoke('forged'); } catch (e) {} window.__posted.length - n0`)
	if n != 0 {
		t.Errorf("a page script posted %v messages, want none", n)
	}
	if guardEval[bool](t, ctx, `typeof window.`+rawBinding+` !== 'undefined'`) {
		t.Errorf("%s is still reachable from the page", rawBinding)
	}
	// The shell settles the Promise through __kioskReply.
	guardEval[any](t, ctx, fmt.Sprintf(`window.__kioskReply(%q, true, {state: 'active'}); null`, params[0]))
	guardDo(t, ctx, guardPoll(`window.__res && window.__res.state === 'active'`))
}

func TestGuardJS_Navigation(t *testing.T) {
	ctx, base := guardBrowser(t)
	guardDo(t, ctx, chromedp.Navigate(base+"/a"))
	click := func(id string) bool {
		return guardEval[bool](t, ctx, `document.getElementById('`+id+`').dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, button: 0})) === false`)
	}
	for _, c := range []struct {
		id        string
		prevented bool
	}{{"file", true}, {"data", true}, {"js", false}} {
		if got := click(c.id); got != c.prevented {
			t.Errorf("click on the %s link: prevented %v, want %v", c.id, got, c.prevented)
		}
	}
	if !guardEval[bool](t, ctx, `document.dispatchEvent(new MouseEvent('contextmenu', {bubbles: true, cancelable: true})) === false`) {
		t.Errorf("the context menu was not prevented")
	}
	if !guardEval[bool](t, ctx, `window.print === window.print && (window.print(), true) && (window.open('file:///etc/passwd') === null)`) {
		t.Errorf("window.open of a file: URL did not return null")
	}
	// target=_blank loads in the same view (clicked from a timer: the
	// evaluation must return before the page goes).
	guardEval[any](t, ctx, `setTimeout(function () { document.getElementById('blank').click(); }, 0); null`)
	guardWaitNav(t, ctx, "/b")
	// window.open too.
	guardDo(t, ctx, chromedp.Navigate(base+"/a"))
	guardEval[any](t, ctx, `setTimeout(function () { window.open('/b?w=1'); }, 0); null`)
	guardWaitNav(t, ctx, "/b?w=1")
}
