//go:build e2e

package admin

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/internal/axetest"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
)

// adminView is one admin screen the audit checks: load path (or act on
// the current page), wait for the selector ready, audit.
type adminView struct {
	name, path string
	act        func(t *testing.T, ctx context.Context)
	ready      string // CSS selector of an element the screen shows
}

// auditAdmin loads or builds each view and runs axe-core on it.
func auditAdmin(t *testing.T, ctx context.Context, engine *axetest.Engine, base string, views []adminView) int {
	t.Helper()
	for _, v := range views {
		var steps []chromedp.Action[chromedp.Void]
		if v.path != "" {
			steps = append(steps, chromedp.Navigate(base+v.path))
		}
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if v.act != nil {
			v.act(t, ctx)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(v.ready))); err != nil {
			t.Fatalf("%s: waiting for %s: %v", v.name, v.ready, err)
		}
		r := engine.Check(t, ctx, "admin "+v.name)
		svg := false
		for _, n := range r.UndecidedContrast() {
			if strings.HasPrefix(n.HTML, "<text") { // in a chart: measured below
				svg = true
				continue
			}
			t.Errorf("admin %s: axe could not decide the contrast of %v (%v): %s", v.name, n.Target, n.Why, n.HTML)
		}
		if svg {
			checkChartContrast(t, ctx, "admin "+v.name)
		}
	}
	return len(views)
}

// chartContrastJS measures the contrast of every text of the SVG charts
// against the first opaque background behind the chart: axe computes no
// contrast inside an SVG ("imgNode"). The texts sit above and below the
// bars, never on them.
const chartContrastJS = `(function () {
  function lum(c) {
    var v = c.match(/[0-9.]+/g).map(Number).slice(0, 3).map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  var out = {N: 0, Worst: 99, Which: ''};
  document.querySelectorAll('svg.chart text').forEach(function (t) {
    var bg = '', e = t.closest('svg').parentElement;
    for (; e; e = e.parentElement) { bg = getComputedStyle(e).backgroundColor; if (!/^rgba\(.*, 0\)$/.test(bg)) { break; } }
    var fg = getComputedStyle(t).fill, a = lum(fg), b = lum(bg || 'rgb(255, 255, 255)');
    var r = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.N++;
    if (r < out.Worst) { out.Worst = r; out.Which = t.outerHTML + ': ' + fg + ' on ' + bg; }
  });
  return out;
})()`

// checkChartContrast fails when a chart's text is below 4.5:1 (1.4.3).
func checkChartContrast(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	type contrast struct {
		N     int
		Worst float64
		Which string
	}
	c, err := chromedp.Run(ctx, chromedp.Evaluate[contrast](chartContrastJS))
	if err != nil {
		t.Fatalf("%s: measuring the charts' contrast: %v", where, err)
	}
	t.Logf("%s: %d chart texts, the faintest %.2f:1", where, c.N, c.Worst)
	if c.N == 0 || c.Worst < 4.5 {
		t.Errorf("%s: %d chart texts, the faintest %.2f:1 (%s), want at least 4.5:1", where, c.N, c.Worst, c.Which)
	}
}

// submit fills the form fields (CSS selector to value) and presses button.
func submit(fields map[string]string, button string) func(t *testing.T, ctx context.Context) {
	return func(t *testing.T, ctx context.Context) {
		t.Helper()
		var steps []chromedp.Action[chromedp.Void]
		for sel, val := range fields {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(sel), val))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(button)))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("submitting %s: %v", button, err)
		}
	}
}

// TestAxe_Admin audits every admin page (issue 14 §4, docs/accessibility.md)
// with axe-core's WCAG 2.0/2.1/2.2 A and AA rules: first start, login
// (and its errors), then, logged in as an administrator of a real agent
// store with a month of usage in a bbolt file and a session running,
// every page of the navigation, their notices and alerts, the live view
// with a help request and the error page. 0 violations.
func TestAxe_Admin(t *testing.T) {
	engine := axetest.Load(t)
	n := 0

	// First start: no password yet.
	fresh := newFixture(t)
	ctx := newBrowser(t)
	n += auditAdmin(t, ctx, engine, fresh.http.URL, []adminView{
		{name: "setup", path: "/setup", ready: "#create"},
		{name: "setup (passwords differ)", act: submit(map[string]string{"#password": testPassword, "#confirm": testPassword + "x"}, "#create"), ready: "#setup-error"},
	})

	var ctl *session.Controller
	var st *agent.Store
	var path string
	f := newFixture(t, withSession(&ctl), withAgents(t, t.TempDir(), &st), withAllowlist(t, testAllowlist, &path))
	fillMonth(t, f)
	knownSessions(f)
	for range 2 {
		f.store.Count(usage.SessionStarted)
		f.store.Blocked("static.caf-cdn.example", "www.caf.fr")
	}
	ctx = newBrowser(t)
	base := f.http.URL
	n += auditAdmin(t, ctx, engine, base, []adminView{
		{name: "login", path: "/login", ready: "#login"},
		{name: "login (wrong password)", act: submit(map[string]string{"#name": adminName, "#password": "pas le bon"}, "#login"), ready: "#login-error"},
	})
	browserLogin(t, ctx, base, adminName, testPassword)
	if err := ctl.Start("ar", false); err != nil {
		t.Fatal(err)
	}
	ctl.Help()
	n += auditAdmin(t, ctx, engine, base, []adminView{
		{name: "dashboard", path: "/", ready: "#sessions"},
		{name: "dashboard (two days)", path: "/?from=2026-11-24&to=2026-11-25", ready: "svg.chart"},
		{name: "live view", path: "/live", ready: "#help-list li.waiting button.take"},
		{name: "live view (help taken)", act: func(t *testing.T, ctx context.Context) {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#help-list li.waiting button.take"))); err != nil {
				t.Fatal(err)
			}
		}, ready: "#live-notice"},
		{name: "blocked hosts", path: "/blocked?days=30", ready: `section[data-site="CAF"]`},
		{name: "blocked hosts (added)", path: "/blocked?days=30&msg=added", ready: `section[data-site="CAF"]`},
		{name: "allowlist", path: "/allowlist", ready: "main h1"},
		{name: "monthly report", path: "/report?from=2026-10&to=2026-11", ready: "article.month"},
		{name: "password", path: "/password", ready: "#current"},
		{name: "password (wrong)", act: submit(map[string]string{"#current": "pas le bon", "#password": "un nouveau mot de passe", "#confirm": "un nouveau mot de passe"}, `main button[type=submit]`), ready: "#password-error"},
		{name: "agents", path: "/agents?msg=added", ready: "#agents-notice"},
		{name: "agents (forms open)", act: func(t *testing.T, ctx context.Context) {
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll('details').forEach(d => d.open = true); true`)); err != nil {
				t.Fatal(err)
			}
		}, ready: "details[open] form"},
		{name: "audit log", path: "/audit", ready: "main h1"},
		{name: "error", path: "/blocked?days=9999", ready: "#error"},
	})
	// Alerts every page can carry: a reload of the allowlist that failed.
	f.setStatus(func(s *Status) {
		s.AllowlistError = "allowlist.yaml:3:5: unknown key \"site\""
		s.AllowlistErrorAt = f.clock.Now()
	})
	n += auditAdmin(t, ctx, engine, base, []adminView{
		{name: "dashboard (allowlist error)", path: "/", ready: "#allowlist-error"},
	})
	t.Logf("axe-core %s (%s): %d admin screens checked", engine.Version, strings.Join(axetest.Tags, ","), n)
}
