//go:build webview && linux

package kiosk_test

import (
	"encoding/json"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestShell_DisplaySettings: the toolbar's "A+" zooms the drawn page up to
// 200 %, the zoom stays on the next page, high contrast draws the site's
// page, the portal's and the toolbar in black and white, the larger
// pointer is the page's cursor, and the next session starts from the
// defaults (a new browser process). Every press is the real pointer's
// (xdotool). With $KIOSK_SCREENSHOTS set, it writes contrast.png and
// zoom-200.png there.
func TestShell_DisplaySettings(t *testing.T) {
	r := newRig(t, rigOptions{wm: true})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	dir := t.TempDir()
	shots := os.Getenv("KIOSK_SCREENSHOTS")

	r.sessionOn("")
	r.waitEval("the toolbar", "document.querySelector('kiosk-toolbar')", 5*time.Second)
	w1 := r.headingWidth(filepath.Join(dir, "zoom-100.png"), 1)
	white := r.pixel(filepath.Join(dir, "zoom-100.png"), 1000, 400)
	bar := r.pixel(filepath.Join(dir, "zoom-100.png"), 640, 3)
	if white == "000000" || bar == "000000" {
		t.Fatalf("before contrast, page %s and toolbar %s are black already", white, bar)
	}
	inner1 := r.innerWidth()
	r.checkListenIcon(filepath.Join(dir, "zoom-100.png"), "before contrast")

	for i, z := range []float64{1.25, 1.5, 1.75, 2} {
		r.pressDisplay("zoom-in", "Math.abs(window.innerWidth - "+strconv.Itoa(inner1)+" / "+strconv.FormatFloat(z, 'f', 2, 64)+") < 2")
		if i == 3 {
			r.waitEval("A+ disabled at 200 %", toolbarButton("zoom-in")+".disabled", 5*time.Second)
		}
	}
	r.pressDisplay("display", toolbarButton("display")+".getAttribute('aria-expanded') === 'false'") // closes the panel
	w2 := r.headingWidth(filepath.Join(dir, "zoom-200.png"), 2)
	if ratio := float64(w2) / float64(w1); ratio < 1.7 || ratio > 2.3 {
		t.Errorf("the heading is drawn %d px wide at 200 %%, %d px at 100 %% (ratio %.2f, want about 2)", w2, w1, ratio)
	}
	if shots != "" {
		r.shot(filepath.Join(shots, "zoom-200.png"))
	}
	// The zoom stays as the resident navigates.
	r.openPage("autre")
	if got := r.innerWidth(); got > inner1/2+2 {
		t.Errorf("on the next page the view is %d CSS px wide, want about %d (200 %%)", got, inner1/2)
	}
	for _, z := range []float64{1.75, 1.5, 1.25, 1} {
		r.pressDisplay("zoom-out", "Math.abs(window.innerWidth - "+strconv.Itoa(inner1)+" / "+strconv.FormatFloat(z, 'f', 2, 64)+") < 2")
	}

	r.openPage("")
	r.pressDisplay("contrast", "getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 0)'")
	r.waitEval("contrast pressed", toolbarButton("contrast")+".getAttribute('aria-pressed') === 'true'", 5*time.Second)
	hc := filepath.Join(dir, "contrast.png")
	r.shot(hc)
	if p := r.pixel(hc, 1000, 400); p != "000000" {
		t.Errorf("page background in contrast: %s, want 000000", p)
	}
	if p := r.pixel(hc, 640, 3); p != "000000" {
		t.Errorf("toolbar background in contrast: %s, want 000000", p)
	}
	r.checkListenIcon(hc, "in contrast on a site's page")
	// The portal's own pages follow, with their own treatment.
	r.mustEval("location.href = 'http://kiosk.invalid/home?lang=fr'; 1")
	r.waitEval("the portal's home in contrast", "location.pathname === '/home' && document.readyState === 'complete' && getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 0)'", 10*time.Second)
	r.waitEval("the toolbar in contrast on the portal", "document.querySelector('kiosk-toolbar').classList.contains('hc')", 5*time.Second)
	r.shot(hc)
	if p := r.pixel(hc, 5, 400); p != "000000" {
		t.Errorf("portal background in contrast: %s", p)
	}
	r.checkListenIcon(hc, "in contrast on the portal")
	if shots != "" {
		r.shot(filepath.Join(shots, "contrast.png"))
	}

	r.pressDisplay("pointer", "getComputedStyle(document.body).cursor.indexOf('url(') >= 0")

	// A site's script cannot change them, even right after a touch.
	r.openPage("")
	r.touchEval("window.__d = ''; kioskDisplay('zoom-in').then(function () { window.__d = 'ok'; }, function (e) { window.__d = String(e); }); 1")
	r.waitEval("the page's call answered", "window.__d !== ''", 5*time.Second)
	if res := r.mustEval("window.__d + ' ' + window.innerWidth"); !strings.Contains(string(res.Result), "toolbar_only") || !strings.HasSuffix(string(res.Result), " "+strconv.Itoa(inner1)+`"`) {
		t.Errorf("a site's kioskDisplay('zoom-in'): %s", res.Result)
	}

	// The next session starts at 100 %, without contrast nor pointer.
	r.endSession()
	r.waitEval("the welcome page without contrast", "location.pathname === '/' && document.readyState === 'complete' && getComputedStyle(document.body).backgroundColor !== 'rgb(0, 0, 0)'", 10*time.Second)
	r.sessionOn("")
	if got := r.innerWidth(); got != inner1 {
		t.Errorf("next session: view %d CSS px wide, want %d (100 %%)", got, inner1)
	}
	next := filepath.Join(dir, "next.png")
	if w := r.headingWidth(next, 1); w < w1-3 || w > w1+3 {
		t.Errorf("next session: heading drawn %d px wide, want %d", w, w1)
	}
	if p := r.pixel(next, 1000, 400); p != white {
		t.Errorf("next session: page background %s, want %s", p, white)
	}
	res := r.mustEval("getComputedStyle(document.body).cursor")
	if strings.Contains(string(res.Result), "url(") {
		t.Errorf("next session: cursor %s", res.Result)
	}
}

// checkListenIcon checks, on the screenshot at path, that the toolbar's
// "Écouter" shows its loudspeaker: enough of the icon's pixels differ
// from the button's background (high contrast once painted it black on
// black).
func (r *rig) checkListenIcon(path, when string) {
	r.t.Helper()
	btn := toolbarButton("listen")
	r.waitEval("Écouter shown", btn+" && "+btn+".getClientRects().length > 0", 5*time.Second)
	res := r.mustEval("(function () { var b = " + btn + ", i = b.querySelector('.speaker').getBoundingClientRect(), r = b.getBoundingClientRect(); " +
		"return [i.left, i.top, i.width, i.height, r.left, r.top + r.height / 2, window.screenX, window.screenY]; })()")
	var v []float64
	if err := json.Unmarshal(res.Result, &v); err != nil || len(v) != 8 {
		r.t.Fatalf("Écouter's icon box: %s (%v)", res.Result, err)
	}
	if v[2] < 16 || v[3] < 16 {
		r.t.Fatalf("%s: Écouter's icon is %.0f×%.0f px", when, v[2], v[3])
	}
	f, err := os.Open(path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		r.t.Fatalf("decoding %s: %v", path, err)
	}
	// The background: inside the button, left of the icon, past the border.
	bg := img.At(int(v[6]+v[4])+6, int(v[7]+v[5]))
	x0, y0 := int(v[6]+v[0]), int(v[7]+v[1])
	n := 0
	for y := y0; y < y0+int(v[3]); y++ {
		for x := x0; x < x0+int(v[2]); x++ {
			if colourDistance(img.At(x, y), bg) > 96 {
				n++
			}
		}
	}
	// The loudspeaker's strokes cover about a fifth of its box.
	if min := int(v[2]*v[3]) / 20; n < min {
		r.t.Errorf("%s: Écouter's icon has %d pixels unlike the button's background %v, want at least %d (an empty button)", when, n, bg, min)
	}
}

// colourDistance is the largest difference of a and b's 8-bit channels.
func colourDistance(a, b color.Color) int {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := 0
	for _, c := range [][2]uint32{{ar, br}, {ag, bg}, {ab, bb}} {
		x := int(c[0]>>8) - int(c[1]>>8)
		if x < 0 {
			x = -x
		}
		d = max(d, x)
	}
	return d
}

func toolbarButton(cls string) string {
	return "document.querySelector('kiosk-toolbar').shadowRoot.querySelector('button." + cls + "')"
}

// pressDisplay presses a display button with the real pointer (opening
// the display panel first) and waits until the page shows its effect (the
// JS expression effect): the next press finds the buttons where they are
// drawn then. The toolbar keeps its size at any zoom: its boxes are
// screen pixels.
func (r *rig) pressDisplay(cls string, effect string) {
	r.t.Helper()
	btn := toolbarButton(cls)
	if cls != "display" {
		open := r.mustEval(toolbarButton("display") + ".getAttribute('aria-expanded')")
		if string(open.Result) != `"true"` {
			r.pressDisplay("display", toolbarButton("display")+".getAttribute('aria-expanded') === 'true'")
		}
	}
	res := r.waitEval("the toolbar's "+cls+" button", btn+" && "+btn+".getClientRects().length > 0", 5*time.Second)
	res = r.mustEval("(function () { var b = " + btn + ".getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; })()")
	var c []float64
	if err := json.Unmarshal(res.Result, &c); err != nil || len(c) != 2 {
		r.t.Fatalf("the %s button's box: %s", cls, res.Result)
	}
	cmd := exec.Command("xdotool", "mousemove", "--sync", strconv.Itoa(int(c[0])), strconv.Itoa(int(c[1])), "click", "1")
	cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("xdotool click: %v %s", err, out)
	}
	r.waitEval(cls+"'s effect", effect, 5*time.Second)
}

func (r *rig) innerWidth() int {
	r.t.Helper()
	var n int
	if err := json.Unmarshal(r.mustEval("window.innerWidth").Result, &n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// headingWidth takes a screenshot to path and returns how wide the page's
// heading (#h) is drawn, in screen pixels: the band of its line, trimmed
// of the background. zoom turns its CSS box into screen pixels.
func (r *rig) headingWidth(path string, zoom float64) int {
	r.t.Helper()
	res := r.mustEval("(function () { var b = document.getElementById('h').getBoundingClientRect(); return [b.top, b.bottom, window.screenY]; })()")
	var box []float64
	if err := json.Unmarshal(res.Result, &box); err != nil || len(box) != 3 {
		r.t.Fatalf("heading box %s: %v", res.Result, err)
	}
	r.shot(path)
	top, h := int(box[2]+box[0]*zoom)+2, int((box[1]-box[0])*zoom)-4
	out, err := exec.Command("convert", path, "-crop", fmt.Sprintf("1100x%d+0+%d", h, top), "+repage", "-fuzz", "20%", "-trim", "-format", "%w", "info:").CombinedOutput()
	if err != nil {
		r.t.Fatalf("measuring the heading: %v %s", err, out)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		r.t.Fatalf("measuring the heading: %q", out)
	}
	return n
}

// pixel returns the colour of the screenshot's pixel at x, y as RRGGBB.
func (r *rig) pixel(path string, x, y int) string {
	r.t.Helper()
	out, err := exec.Command("convert", path, "-crop", fmt.Sprintf("1x1+%d+%d", x, y), "-depth", "8", "txt:-").CombinedOutput()
	if err != nil {
		r.t.Fatalf("pixel of %s: %v %s", path, err, out)
	}
	// "# ImageMagick pixel enumeration: ...\n0,0: (r,g,b)  #RRGGBB  srgb(...)"
	_, line, _ := strings.Cut(string(out), "\n")
	i := strings.Index(line, "#")
	if i < 0 || len(line) < i+7 {
		r.t.Fatalf("pixel of %s: %q", path, out)
	}
	return line[i+1 : i+7]
}
