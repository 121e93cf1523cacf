//go:build e2e

package admin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/usage"
)

// chromiumPath is Debian's chromium; `make test` installs it.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a fresh headless chromium and returns a tab context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatalf("chromium is required for this test and is missing (%v): apt-get install chromium, or run make test", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(1280, 1000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	tctx, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return tctx
}

// fillMonth adds varied sessions on November 1–23 so that the screenshot
// looks like a real month; the checked figures use the 24th and 25th only.
func fillMonth(t *testing.T, f *fixture) {
	rng := rand.New(rand.NewPCG(7, 11))
	for d := 1; d <= 23; d++ {
		day := time.Date(2026, 11, d, 0, 0, 0, 0, testLoc)
		if day.Weekday() == time.Sunday {
			continue
		}
		for range 4 + rng.IntN(14) {
			start := day.Add(time.Duration(9*60+rng.IntN(8*60)) * time.Minute)
			sites := []string{benchSites[rng.IntN(6)]}
			f.addSession(start, time.Duration(3+rng.IntN(35))*time.Minute, usage.EndReasons[rng.IntN(3)], sites...)
		}
	}
	for _, b := range []struct{ host, from string }{
		{"cdn.caf.fr", "www.caf.fr"}, {"cdn.caf.fr", "www.caf.fr"}, {"static.ameli.fr", "www.ameli.fr"},
		{"fonts.gstatic.com", "www.service-public.fr"},
	} {
		f.store.Blocked(b.host, b.from)
	}
}

func TestBrowser_AdminPage(t *testing.T) {
	f := newFixture(t)
	fillMonth(t, f)
	knownSessions(f)
	ctx := newBrowser(t)
	base := f.http.URL

	// First visit: no password yet, so the setup page.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#create")),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.SendKeys(chromedp.CSS("#confirm"), testPassword),
		chromedp.Click(chromedp.CSS("#create")),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
	); err != nil {
		t.Fatalf("creating the password: %v", err)
	}
	if h, err := f.srv.creds.adminHash(); err != nil || !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("after setup the credentials hold %q (%v)", h, err)
	}

	// Log in.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#sessions")),
	); err != nil {
		t.Fatalf("logging in: %v", err)
	}

	// Dashboard figures for the known sessions.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/?from=2026-11-24&to=2026-11-25"),
		chromedp.WaitVisible(chromedp.CSS("#sessions")),
	); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"sessions": "4", "median": "25 min", "total": "1 h 40", "help": "1", "prints": "2",
		"satisfaction": "67\u00a0%", "period-label": "Du 24/11/2026 au 25/11/2026",
	} {
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#"+id)))
		if err != nil {
			t.Fatalf("reading #%s: %v", id, err)
		}
		if strings.TrimSpace(got) != want {
			t.Errorf("#%s = %q, want %q", id, got, want)
		}
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect.bar").length`))
	if err != nil || bars != 24+2 {
		t.Errorf("chart bars = %d (%v), want 24 hours + 2 days", bars, err)
	}

	// CSV download.
	dl := t.TempDir()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: ptr(true),
			})
			return err
		}),
		chromedp.Click(chromedp.CSS("#export-csv")),
	); err != nil {
		t.Fatalf("downloading the csv: %v", err)
	}
	var csvPath string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download events: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			csvPath = filepath.Join(dl, ev.GUID)
			break
		}
	}
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatalf("reading the downloaded csv: %v", err)
	}
	csv := string(b)
	if !strings.HasPrefix(csv, "\ufeffDate;Sessions terminées;") {
		t.Errorf("csv does not start with the BOM and the French header: %q", csv[:min(len(csv), 50)])
	}
	for _, want := range []string{"\r\n2026-11-24;3;", "\r\n2026-11-25;1;", ";Requêtes bloquées;Impressions\r\n"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}
	// The prints of the 25th are in the last column.
	_, rest, _ := strings.Cut(csv, "\r\n2026-11-25;")
	if row, _, _ := strings.Cut(rest, "\r\n"); !strings.HasSuffix(row, ";2") {
		t.Errorf("csv row of 2026-11-25 = %q, want 2 prints in the last column", row)
	}

	// USB key threats of November, one signature without a place to break
	// a line: they are in the report too.
	for _, sig := range append(slices.Repeat([]string{"Win.Test.EICAR_HDB-1"}, 3), longSignature, "Kiosk.Test.Custom.UNOFFICIAL") {
		if err := f.store.Threat(sig); err != nil {
			t.Fatal(err)
		}
	}

	// The printable report: one A4 page per month, threats included.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/report?from=2026-10&to=2026-11"), chromedp.WaitVisible(chromedp.CSS("article.month"))); err != nil {
		t.Fatal(err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("printing the report: %v", err)
	}
	if n := pdfPages(pdf); n != 2 {
		t.Errorf("printed report has %d pages, want 2 (one per month)", n)
	}
	// The page of November, as printed, still shows each signature with
	// its count.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[string](printedThreatsJS))
	if want := "Win.Test.EICAR_HDB-1 3\nKiosk.Test.Custom.UNOFFICIAL 1\n" + longSignature + " 1"; err != nil || printed != want {
		t.Errorf("the report's threats as printed = %q (%v), want %q", printed, err, want)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	})); err != nil {
		t.Fatal(err)
	}

	// The USB threats table stays within its card at 1280×800, however
	// long the signature names (recorded above, before the report).
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/?p=month"),
		chromedp.WaitVisible(chromedp.CSS("#threats")),
	); err != nil {
		t.Fatal(err)
	}
	fit, err := chromedp.Run(ctx, chromedp.Evaluate[string](threatsFitJS))
	if err != nil || fit != "" {
		t.Errorf("the threats table at 1280×800: %s (%v)", fit, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateReset()); err != nil {
		t.Fatal(err)
	}

	if os.Getenv("KIOSK_SCREENSHOTS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", "admin-report.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		// The dashboard's "État du système" block, hidden in this fixture.
		f.setStatus(func(s *Status) {
			s.System = &SystemStatus{
				KioskVersion: "1.4.0", WebKitVersion: "2.46.6-1~deb12u1",
				LastRun: time.Date(2026, 11, 25, 6, 31, 0, 0, testLoc), LastResult: "ok",
				LastPackages: []string{"libwebkit2gtk-4.0-37", "libjavascriptcoregtk-4.0-18"},
				Window:       "22:00-06:00", Pending: "restart", PendingSince: time.Date(2026, 11, 25, 6, 31, 0, 0, testLoc),
			}
		})
		shot(t, ctx, base+"/?p=month", "admin-dashboard.png")
		shot(t, ctx, base+"/blocked", "admin-blocked.png")
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		shot(t, ctx, base+"/?p=month", "admin-dashboard-phone.png")
		if err := chromedp.Do(ctx, chromedp.EmulateReset()); err != nil {
			t.Fatal(err)
		}
	}

	// A real form POST without its CSRF token is refused, and the session stays.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#sessions")),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector('form[action="/logout"] input[name="csrf"]').remove(); true`)(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitReady(chromedp.CSS("body")),
	); err != nil {
		t.Fatal(err)
	}
	// The click navigates to the refusal; poll its text until a deadline.
	wait.UntilErr(t, 10*time.Second, "the refusal of a POST without CSRF token", func() error {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if !strings.Contains(body, "jeton CSRF") {
			return fmt.Errorf("page: %q", body)
		}
		return nil
	})
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/logout", {method: "POST", body: new URLSearchParams({csrf: "forged"})}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 403 {
		t.Errorf("fetch POST with a forged token = %d (%v), want 403", status, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#sessions"))); err != nil {
		t.Fatalf("still logged in after the refused POSTs: %v", err)
	}
	// With the token, logout works.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
	); err != nil {
		t.Fatalf("logout: %v", err)
	}
}

// longSignature is a signature name of the antivirus's maximum length
// without a place to break a line.
var longSignature = "Kiosk.Test.Unofficial.Sanesecurity.Phishing.Bank-" + strings.Repeat("0123456789", 7) + "x"

// threatsFitJS returns "" when the threats table and each of its cells end
// within the content box of their card (section), else what sticks out.
const threatsFitJS = `(() => {
  const t = document.getElementById("threats"), s = t.closest("section");
  const right = s.getBoundingClientRect().right - parseFloat(getComputedStyle(s).borderRightWidth) - parseFloat(getComputedStyle(s).paddingRight) + 0.5;
  const out = [];
  if (s.scrollWidth > s.clientWidth) out.push("the card scrolls: " + s.scrollWidth + " > " + s.clientWidth);
  for (const e of [t, ...t.querySelectorAll("th, td")]) {
    const r = e.getBoundingClientRect().right;
    if (r > right) out.push((e.textContent || e.id).slice(0, 30) + " ends at " + r + " > " + right);
  }
  return out.join("; ");
})()`

// printedThreatsJS returns the last month's threats as shown, one
// "signature count" a line, only the cells that have a box.
const printedThreatsJS = `[...document.querySelectorAll("article.month:last-of-type #threats tbody tr")]
  .map(r => [...r.cells].filter(c => c.getClientRects().length > 0).map(c => c.textContent).join(" "))
  .join("\n")`

// pdfPages counts the page objects of a PDF written by chromium.
func pdfPages(pdf []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
}

func ptr[T any](v T) *T { return &v }

// shot saves a full-page screenshot of url to docs/screenshots/name.
func shot(t *testing.T, ctx context.Context, url, name string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", filepath.Join(dir, name))
}
