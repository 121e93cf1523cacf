//go:build e2e

package axetest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/internal/axetest"
)

// badPage breaks the rules the kiosk's audit relies on: grey on white
// text, a 16 px button beside another, an image without a text, a field
// without a label, no lang, inside an open shadow root too.
const badPage = `<!doctype html><html><head><meta charset="utf-8"><title>bad</title></head><body>
<main><p style="color:#aaa;background:#fff">faint text</p>
<button style="width:16px;height:16px;padding:0;margin:0">x</button><button style="width:16px;height:16px;padding:0;margin:0">y</button>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
<input type="text"><div id="host"></div></main>
<script>document.getElementById('host').attachShadow({mode: 'open'}).innerHTML = '<p style="color:#bbb;background:#fff">shadow text</p>';</script>
</body></html>`

// arabicPage has Arabic text, one paragraph of it faint: joined letters
// once made axe skip the contrast of every text in their font.
const arabicPage = `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>مرحبًا</title></head><body>
<main><h1>مرحبًا</h1><p>اختاروا لغتكم</p><p>سيتم محو كل شيء في نهاية الجلسة</p><p>ابدأ</p>
<p style="color:#bbb;background:#fff">نص باهت</p></main></body></html>`

// goodPage passes them.
const goodPage = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>bien</title></head><body>
<main><h1>Titre</h1><p style="color:#161616;background:#fff">texte lisible</p>
<button style="min-width:48px;min-height:48px">OK</button></main></body></html>`

// TestEngine_FindsViolations: the engine runs the rules of Tags, finds
// what badPage breaks (contrast and target size included, in a shadow
// root too) and nothing on goodPage. A broken setup (no rules, wrong
// tags, a script that does not run) would find nothing anywhere.
func TestEngine_FindsViolations(t *testing.T) {
	engine := axetest.Load(t)
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found (make test installs it): %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/bad":
			_, _ = w.Write([]byte(badPage))
		case "/ar":
			_, _ = w.Write([]byte(arabicPage))
		default:
			_, _ = w.Write([]byte(goodPage))
		}
	}))
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { tcancel(); cancel(); acancel() })

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	r, err := engine.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	shadow := false
	for _, v := range r.Violations {
		ids = append(ids, v.ID)
		for _, n := range v.Nodes {
			for _, tg := range n.Target {
				if path, ok := tg.([]any); ok && len(path) > 1 { // [host, element]
					shadow = true
				}
			}
		}
	}
	for _, want := range []string{"color-contrast", "target-size", "image-alt", "label", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("bad page: violations %v, want %s among them", ids, want)
		}
	}
	if !shadow {
		t.Errorf("bad page: no violation inside the open shadow root: %v", ids)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ar")); err != nil {
		t.Fatal(err)
	}
	if r, err = engine.Run(ctx); err != nil {
		t.Fatal(err)
	}
	var faint []string
	for _, v := range r.Violations {
		if v.ID == "color-contrast" {
			for _, n := range v.Nodes {
				faint = append(faint, n.HTML)
			}
		}
	}
	if len(faint) != 1 || !strings.Contains(faint[0], "#bbb") {
		t.Errorf("arabic page: color-contrast violations on %q, want the faint paragraph only", faint)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/good")); err != nil {
		t.Fatal(err)
	}
	engine.Check(t, ctx, "good page")

	rules, err := engine.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range axetest.MustRun {
		if !slices.Contains(rules, want) {
			t.Errorf("the rules of %v lack %s: %v", axetest.Tags, want, rules)
		}
	}
	t.Logf("axe-core %s, %d rules for %v: %s", engine.Version, len(rules), axetest.Tags, strings.Join(rules, " "))
}
