//go:build e2e

package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/portal"
)

// tilesLayoutJS measures the groups of tiles: every heading and tile box,
// which group it is in, whether a tile's text overflows its box, whether
// the page overflows sideways or downwards, and where the shell's toolbar
// ends (0 without it).
const tilesLayoutJS = `(function () {
  function box(e) { var r = e.getBoundingClientRect(); return {L: r.left, T: r.top + scrollY, R: r.right, B: r.bottom + scrollY}; }
  var d = document.documentElement;
  var out = {Width: innerWidth, ScrollWidth: d.scrollWidth, Height: innerHeight, ScrollHeight: d.scrollHeight, Groups: []};
  var tb = document.querySelector('kiosk-toolbar'), bar = tb && tb.shadowRoot && tb.shadowRoot.querySelector('.bar');
  out.Toolbar = bar && !bar.hidden ? bar.getBoundingClientRect().bottom : 0;
  var start = document.querySelector('a.btn.big[data-start]');
  out.Start = start ? box(start) : null;
  document.querySelectorAll('section.group').forEach(function (g) {
    var grp = {Heading: g.querySelector('h3').textContent.trim(), H: box(g.querySelector('h3')), Tiles: []};
    g.querySelectorAll('a.tile').forEach(function (a) {
      var n = a.querySelector('.name');
      grp.Tiles.push({Name: n.textContent, Box: box(a), Clipped: n.scrollWidth > n.clientWidth + 1 || a.scrollWidth > a.clientWidth + 1});
    });
    out.Groups.push(grp);
  });
  return out;
})()`

// screenHeights are the terminal sizes the tiles must fit in: width to
// height.
var screenHeights = map[float64]float64{1280: 800, 1366: 768}

type rect struct{ L, T, R, B float64 }

func (a rect) overlaps(b rect) bool { return a.L < b.R-1 && b.L < a.R-1 && a.T < b.B-1 && b.T < a.B-1 }

type tilesLayout struct {
	Width, ScrollWidth   float64
	Height, ScrollHeight float64
	// Toolbar is the bottom of the shell's toolbar, 0 without it.
	Toolbar float64
	// Start is the welcome page's "Commencer" button, nil elsewhere.
	Start  *rect
	Groups []struct {
		Heading string
		H       rect
		Tiles   []struct {
			Name    string
			Box     rect
			Clipped bool
		}
	}
}

// checkTilesLayout fails when the page overflows sideways or downwards (a
// resident at a touch screen must not have to scroll to find a site), a
// box overlaps another or hides under the shell's toolbar, a tile's text is
// cut, a group is split away from its heading, or the groups are not in
// the order of the file's categories.
func checkTilesLayout(t *testing.T, where string, lay tilesLayout, wantTiles int, wantOrder []string) {
	t.Helper()
	if want, ok := screenHeights[lay.Width]; !ok || lay.Height != want {
		t.Fatalf("%s: the window is %.0fx%.0f px, want one of the terminal sizes %v", where, lay.Width, lay.Height, screenHeights)
	}
	if lay.ScrollWidth > lay.Width {
		t.Errorf("%s: the page is %.0f px wide in a %.0f px window", where, lay.ScrollWidth, lay.Width)
	}
	if lay.ScrollHeight > lay.Height {
		t.Errorf("%s: the page is %.0f px tall in a %.0f px window: the resident must scroll", where, lay.ScrollHeight, lay.Height)
	}
	bottom := 0.0
	for _, g := range lay.Groups {
		if g.H.T < lay.Toolbar {
			t.Errorf("%s: heading %q starts at %.0f px, under the toolbar (%.0f px)", where, g.Heading, g.H.T, lay.Toolbar)
		}
		for _, tl := range g.Tiles {
			bottom = max(bottom, tl.Box.B)
		}
	}
	if bottom > lay.Height {
		t.Errorf("%s: the lowest tile ends at %.0f px, below the %.0f px window", where, bottom, lay.Height)
	}
	if s := lay.Start; s != nil && (s.T < lay.Toolbar || s.B > lay.Height) {
		t.Errorf("%s: the start button (%.0f–%.0f px) is not in the window (%.0f–%.0f px)", where, s.T, s.B, lay.Toolbar, lay.Height)
	}
	var boxes []rect
	var names []string
	n := 0
	for i, g := range lay.Groups {
		if i < len(wantOrder) && g.Heading != wantOrder[i] {
			t.Errorf("%s: group %d is %q, want %q (the order of the file)", where, i, g.Heading, wantOrder[i])
		}
		boxes, names = append(boxes, g.H), append(names, "heading "+g.Heading)
		for _, tl := range g.Tiles {
			n++
			boxes, names = append(boxes, tl.Box), append(names, tl.Name)
			if tl.Clipped {
				t.Errorf("%s: the text of tile %q is cut", where, tl.Name)
			}
			if tl.Box.L < 0 || tl.Box.R > lay.Width {
				t.Errorf("%s: tile %q (%.0f–%.0f px) leaves the window", where, tl.Name, tl.Box.L, tl.Box.R)
			}
			if tl.Box.L < g.H.L-2 || tl.Box.R > g.H.R+2 || tl.Box.T < g.H.B {
				t.Errorf("%s: tile %q is not under its heading %q", where, tl.Name, g.Heading)
			}
		}
	}
	if n != wantTiles {
		t.Errorf("%s: %d tiles, want %d", where, n, wantTiles)
	}
	if len(lay.Groups) != len(wantOrder) {
		t.Errorf("%s: %d groups, want %d", where, len(lay.Groups), len(wantOrder))
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			if boxes[i].overlaps(boxes[j]) {
				t.Errorf("%s: %q %v overlaps %q %v", where, names[i], boxes[i], names[j], boxes[j])
			}
		}
	}
}

// groupOrder returns the French headings of the groups of sites in the
// order the welcome screen must show them: first appearance in the file.
func groupOrder(l *allowlist.List, supervised bool, heading map[string]string) []string {
	var order []string
	seen := map[string]bool{}
	for _, s := range l.Sites {
		if s.Home == "" || s.Group == allowlist.Supervised && !supervised {
			continue
		}
		k := allowlist.CategoryKey(s.Category)
		if !seen[k] {
			seen[k] = true
			order = append(order, heading[k])
		}
	}
	return order
}

// frenchHeadings and arabicHeadings are the headings of the shipped
// file's categories.
var (
	frenchHeadings = map[string]string{
		"demarches": "Démarches générales", "famille": "Famille", "sante": "Santé", "impots": "Impôts",
		"emploi": "Emploi", "retraite": "Retraite", "identite et titres": "Identité et titres",
		"etrangers": "Étrangers", "logement et energie": "Logement et énergie", "handicap": "Handicap",
		"etudes": "Études", "justice": "Justice", "messagerie": "Messagerie",
	}
	arabicHeadings = map[string]string{
		"demarches": "الإجراءات العامة", "famille": "الأسرة", "sante": "الصحة", "impots": "الضرائب",
		"emploi": "العمل", "retraite": "التقاعد", "identite et titres": "الهوية والوثائق",
		"etrangers": "الأجانب", "logement et energie": "السكن والطاقة", "handicap": "الإعاقة",
		"etudes": "الدراسة", "justice": "العدالة", "messagerie": "البريد الإلكتروني",
	}
)

// TestBrowser_WelcomeSitesFit shows the shipped file's 25 tiles on the
// welcome screen at the two usual terminal sizes, in French and in Arabic
// (right to left), and checks that the groups of tiles fit: nothing
// overflows, overlaps or is cut, and the groups follow the file's order.
// With KIOSK_SCREENSHOTS=1 it writes docs/screenshots/sites-WxH-LANG.png.
func TestBrowser_WelcomeSitesFit(t *testing.T) {
	h, l := shippedHandler(t, false)
	tiles := 0
	for _, s := range l.PublicSites() {
		if s.Home != "" {
			tiles++
		}
	}
	if tiles < 25 {
		t.Fatalf("the shipped file has %d public tiles: this test is about 25 or more", tiles)
	}
	for _, size := range [][2]int{{1280, 800}, {1366, 768}} {
		for _, lang := range []string{"fr", "ar"} {
			name := fmt.Sprintf("sites-%dx%d-%s.png", size[0], size[1], lang)
			t.Run(name, func(t *testing.T) {
				ctx := browser(t, h, size[0], size[1])
				do(t, ctx, screen(size[0], size[1]), chromedp.Navigate("http://kiosk.invalid/?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`section.group`)))
				headings := frenchHeadings
				if lang == "ar" {
					headings = arabicHeadings
				}
				lay := eval[tilesLayout](t, ctx, tilesLayoutJS)
				checkTilesLayout(t, name, lay, tiles, groupOrder(l, false, headings))
				checkTargets(t, ctx, name)
				if lang == "ar" {
					// Right to left: the first group is at the right.
					first, last := lay.Groups[0].H, lay.Groups[len(lay.Groups)-1].H
					if first.R < last.R {
						t.Errorf("%s: the first group (%.0f px) is left of the last (%.0f px), want right to left", name, first.R, last.R)
					}
				}
				saveScreenshot(t, ctx, name)
			})
		}
	}
}

// TestBrowser_WelcomeSitesFitModes: the welcome screen still fits when it
// also offers "Session accompagnée" (mixed mode) or says that an agent is
// needed (supervised only), at the smaller height (1366×768).
func TestBrowser_WelcomeSitesFitModes(t *testing.T) {
	l, err := allowlist.Load(filepath.Join("..", "allowlist.yaml"))
	if err != nil {
		t.Fatalf("loading the shipped allowlist: %v", err)
	}
	tiles := 0
	for _, s := range l.PublicSites() {
		if s.Home != "" {
			tiles++
		}
	}
	for _, mode := range []string{"mixed", "supervised-only"} {
		for _, lang := range []string{"fr", "ar"} {
			name := mode + " " + lang
			t.Run(name, func(t *testing.T) {
				h, err := portal.New(&portal.Config{
					Allowlist: func() *allowlist.List { return l },
					Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
					Mode:      mode,
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx := browser(t, h, 1366, 768)
				do(t, ctx, screen(1366, 768), chromedp.Navigate("http://kiosk.invalid/?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`section.group`)))
				headings := frenchHeadings
				if lang == "ar" {
					headings = arabicHeadings
				}
				checkTilesLayout(t, name, eval[tilesLayout](t, ctx, tilesLayoutJS), tiles, groupOrder(l, false, headings))
				checkTargets(t, ctx, name)
				if mode == "mixed" {
					if b := eval[float64](t, ctx, `document.querySelector('[data-unlock]').getBoundingClientRect().bottom`); b > 768 {
						t.Errorf("%s: the supervised session's button ends at %.0f px, below the window", name, b)
					}
				}
			})
		}
	}
}

// TestBrowser_HomeSitesFit shows the session's start page with the
// shipped file's public tiles under the shell's toolbar, at the two usual
// terminal sizes, in French and in Arabic: every tile is in the one screen
// below the toolbar, nothing overlaps or is cut. With KIOSK_SCREENSHOTS=1
// it writes docs/screenshots/home-WxH-fr.png.
func TestBrowser_HomeSitesFit(t *testing.T) {
	h, l := shippedHandler(t, false)
	tiles := 0
	for _, s := range l.PublicSites() {
		if s.Home != "" {
			tiles++
		}
	}
	for _, size := range [][2]int{{1280, 800}, {1366, 768}} {
		for _, lang := range []string{"fr", "ar"} {
			name := fmt.Sprintf("home-%dx%d-%s.png", size[0], size[1], lang)
			t.Run(name, func(t *testing.T) {
				ctx := homeInSession(t, h, size[0], size[1], lang, false)
				headings := frenchHeadings
				if lang == "ar" {
					headings = arabicHeadings
				}
				lay := eval[tilesLayout](t, ctx, tilesLayoutJS)
				checkTilesLayout(t, name, lay, tiles, groupOrder(l, false, headings))
				checkTargets(t, ctx, name)
				if lang == "fr" {
					saveScreenshot(t, ctx, name)
				}
			})
		}
	}
}

// TestBrowser_HomeSitesFitSupervised: in an agent-unlocked session the
// start page shows the webmail too (31 tiles), still in one screen below
// the toolbar.
func TestBrowser_HomeSitesFitSupervised(t *testing.T) {
	h, l := shippedHandler(t, true)
	tiles := 0
	for _, s := range l.Sites {
		if s.Home != "" {
			tiles++
		}
	}
	for _, size := range [][2]int{{1280, 800}, {1366, 768}} {
		where := fmt.Sprintf("home %dx%d", size[0], size[1])
		ctx := homeInSession(t, h, size[0], size[1], "fr", true)
		lay := eval[tilesLayout](t, ctx, tilesLayoutJS)
		checkTilesLayout(t, where, lay, tiles, groupOrder(l, true, frenchHeadings))
		checkTargets(t, ctx, where)
	}
}

// homeInSession opens the start page in lang as the shell shows it in a
// session: with the toolbar (the real script, a fake shell behind it),
// once the toolbar has taken its space at the top.
func homeInSession(t *testing.T, h *portal.Handler, width, height int, lang string, supervised bool) context.Context {
	t.Helper()
	ctx := browser(t, h, width, height)
	state := fmt.Sprintf(`{"state":"active","lang":%q,"remaining_s":2700,"version":1,"supervised":%v,"agent":"Agent"}`, lang, supervised)
	do(t, ctx,
		screen(width, height),
		initScript(fakeShell(state)+"\n"+string(h.ToolbarJS())),
		chromedp.Navigate("http://kiosk.invalid/home?lang="+lang),
		chromedp.WaitVisible(chromedp.CSS(`section.group`)),
		poll(`(function(){var tb=document.querySelector('kiosk-toolbar');var b=tb&&tb.shadowRoot.querySelector('.bar');return !!b&&!b.hidden&&parseFloat(getComputedStyle(document.documentElement).marginTop)>0})()`),
	)
	return ctx
}

// screen makes the page's viewport the whole terminal screen, as the
// shell's full-screen window (chromium's window size counts its own
// frame).
func screen(width, height int) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(int64(width), int64(height))
}

// saveScreenshot takes a screenshot of the screen (the page must fit in
// it; a full-page capture also draws right-to-left pages shifted) and, with
// KIOSK_SCREENSHOTS=1, writes it to docs/screenshots/name.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 1000 {
		t.Fatalf("screenshot %s: %d bytes", name, len(png))
	}
	if os.Getenv("KIOSK_SCREENSHOTS") != "1" {
		return
	}
	file := filepath.Join("..", "docs", "screenshots", name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", file)
}
