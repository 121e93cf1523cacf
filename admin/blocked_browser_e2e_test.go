//go:build e2e

package admin

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/communes/kiosk/usage"
)

// timeOfDay matches a time of day as French pages write it ("14:05", "14 h 05").
var timeOfDay = regexp.MustCompile(`\b\d{1,2}(:| ?h ?)\d{2}\b`)

func TestBrowser_BlockedAdd(t *testing.T) {
	var path string
	f := newFixture(t, withAllowlist(t, testAllowlist, &path))
	f.setPassword()
	for range 3 {
		f.store.Count(usage.SessionStarted)
		f.store.Blocked("static.caf-cdn.example", "www.caf.fr")
	}
	f.store.Blocked("cdn.impots-static.example", "www.impots.gouv.fr")
	f.store.Blocked("pub.example", "elsewhere.example")
	ctx := newBrowser(t)
	base := f.http.URL
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#sessions")),
		chromedp.Navigate(base+"/blocked?days=7"),
		chromedp.WaitVisible(chromedp.CSS(`section[data-site="CAF"]`)),
	); err != nil {
		t.Fatalf("opening the learning view: %v", err)
	}

	// One section per site, in the order of their most asked host; the host three
	// sessions asked for is not marked, the others are.
	heads, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("section.blocked-site h2"), h => h.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Site « CAF »", "Site « Impôts »", "Page hors de la liste ou inconnue"}
	if strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Errorf("sections = %q, want %q", heads, want)
	}
	cells := textOf(t, ctx, `section[data-site="CAF"] tr[data-host="static.caf-cdn.example"]`)
	if !strings.Contains(cells, "www.caf.fr") || strings.Contains(cells, "une seule session") {
		t.Errorf("CAF row = %q, want the page and no single-session mark (3 sessions)", cells)
	}
	if c := textOf(t, ctx, `tr[data-host="pub.example"]`); !strings.Contains(c, "une seule session") {
		t.Errorf("pub.example row = %q, want the single-session mark", c)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-host="pub.example"] form').length`)); n != 0 {
		t.Errorf("a host of a page outside the list has %d add form(s)", n)
	}
	if main := textOf(t, ctx, "main"); timeOfDay.MatchString(main) {
		t.Errorf("the learning view shows a time of day: %q", timeOfDay.FindString(main))
	}

	// The button adds the host under CAF and the page says so.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`tr[data-host="static.caf-cdn.example"] form.add button`)),
		chromedp.WaitVisible(chromedp.CSS("#blocked-notice")),
	); err != nil {
		t.Fatalf("clicking Ajouter: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line := "      - caf.fr           # caf.fr et sous-domaines\n      - static.caf-cdn.example\n"
	if !strings.Contains(string(got), line) || !strings.Contains(string(got), "# Liste de test") {
		t.Errorf("allowlist after the click:\n%s", got)
	}
	if b, _ := os.ReadFile(path + ".bak-20261125-143000"); string(b) != testAllowlist {
		t.Errorf("backup = %q, want the original file", b)
	}
}
