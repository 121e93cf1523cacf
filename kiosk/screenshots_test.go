//go:build webview && linux

package kiosk_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShell_Screenshots takes the README's screenshots: the welcome screen
// in French and Arabic, the toolbar on a page, the idle countdown and the
// blocked page. They go to $KIOSK_SCREENSHOTS (docs/screenshots to update
// the committed ones), else to a temporary directory.
func TestShell_Screenshots(t *testing.T) {
	dir := os.Getenv("KIOSK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	r := newRig(t, rigOptions{wm: true, serveArgs: []string{"--idle-timeout", "6s", "--idle-countdown", "30s"}})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	shot := func(name string) { t.Helper(); r.shot(filepath.Join(dir, name)) }

	r.waitEval("the welcome page", "document.querySelector('[data-start]')", 10*time.Second)
	shot("welcome-fr.png")
	r.mustEval("location.href = 'http://kiosk.invalid/?lang=ar'; 1")
	r.waitEval("the Arabic welcome", "document.documentElement.dir === 'rtl' && document.querySelector('[data-start]')", 10*time.Second)
	shot("welcome-ar.png")
	r.mustEval("location.href = 'http://kiosk.invalid/?lang=fr'; 1")
	r.waitEval("the French welcome", "document.documentElement.lang === 'fr' && document.querySelector('[data-start]')", 10*time.Second)
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site with its toolbar", "location.href === '"+siteURL+"' && document.getElementById('h')", 10*time.Second)
	shot("toolbar.png")
	r.mustEval("document.getElementById('blocked').click(); 1")
	r.waitEval("the blocked page", "location.pathname === '/blocked'", 10*time.Second)
	shot("blocked.png")
	r.waitEval("the idle countdown", "kioskState().then(function (s) { window.__st = s.state; }) && window.__st === 'countdown'", 20*time.Second)
	shot("countdown.png")
	if !strings.HasPrefix(dir, os.TempDir()) {
		t.Logf("screenshots written to %s", dir)
	}
}

// shot saves the screen to path once the page has painted a frame; a
// screenshot that looks blank is taken again.
func (r *rig) shot(path string) {
	r.t.Helper()
	r.mustEval("window.__painted = false; requestAnimationFrame(function () { requestAnimationFrame(function () { window.__painted = true; }); }); 1")
	r.waitEval("a painted frame", "window.__painted", 5*time.Second)
	time.Sleep(500 * time.Millisecond) // the X server gets the frame after rAF: no event says when
	for i := 0; ; i++ {
		cmd := exec.Command("import", "-window", "root", path)
		cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
		if out, err := cmd.CombinedOutput(); err != nil {
			r.t.Fatalf("import %s: %v %s", path, err, out)
		}
		// A blank screen compresses to almost nothing: try again.
		fi, err := os.Stat(path)
		if err == nil && fi.Size() >= 10_000 {
			return
		}
		if i == 10 {
			r.t.Fatalf("screenshot %s looks empty (%v)", path, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
