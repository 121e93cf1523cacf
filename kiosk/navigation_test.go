//go:build webview && linux

package kiosk_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestShell_NewWindowsInSameView(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()
	for _, tc := range []struct{ name, click, path string }{
		{"target=_blank", "document.getElementById('blank').click()", "/blank"},
		{"window.open", "document.getElementById('open').click()", "/opened"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			r.mustEval("location.href = '" + siteURL + "'; 1")
			r.waitEval("the site", "location.href === '"+siteURL+"' && document.getElementById('h')", 10*time.Second)
			r.mustEval(tc.click + "; 1")
			r.waitEval(tc.path+" in the same view", "location.pathname === '"+tc.path+"' && document.getElementById('h')", 10*time.Second)
			if r.origin.count(tc.path) == 0 {
				t.Errorf("origin never got %s", tc.path)
			}
		})
	}
}

func TestShell_DownloadsWriteNothing(t *testing.T) {
	r := newRig(t, rigOptions{})
	started := r.log.wait(t, "browser started", 0, 15*time.Second)
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	home := started.fields["profile"]
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site", "location.href === '"+siteURL+"'", 10*time.Second)
	for _, id := range []string{"att", "zip", "dl"} {
		// Each click must end in a refused download (the shell logs it); a
		// click WebKit drops while it settles the previous one is repeated,
		// as a resident would tap again.
		refused := false
		for try := 0; try < 3 && !refused; try++ {
			mark := r.log.len()
			r.mustEval("document.getElementById('" + id + "').click(); 1")
			_, refused = r.log.waitOK("download refused", mark, 3*time.Second)
		}
		if !refused {
			t.Fatalf("clicking %s: no refused download logged", id)
		}
	}
	// Give WebKit the time a download would take to land (none may).
	r.log.waitOK("never logged", r.log.len(), 2*time.Second)
	res := r.mustEval("location.href")
	if res.URI != siteURL {
		t.Errorf("after the downloads the view shows %q, want %q", res.URI, siteURL)
	}
	for _, root := range []string{home, r.data, os.TempDir()} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			name := d.Name()
			if strings.HasPrefix(name, "kiosk-test-download") || strings.HasSuffix(name, ".wkdownload") {
				t.Errorf("download written: %s", p)
			}
			return nil
		})
	}
	// Nor does the refused body linger in the profile (the HTTP cache).
	_ = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && strings.Contains(string(data), "must not be saved") {
			t.Errorf("the refused download's body is in %s", p)
		}
		return nil
	})
	for _, dir := range []string{"Downloads", "Téléchargements"} {
		if entries, err := os.ReadDir(filepath.Join(home, dir)); err == nil && len(entries) > 0 {
			t.Errorf("%s/%s holds %d files", home, dir, len(entries))
		}
	}
	// PDFs are shown, not saved.
	r.mustEval("document.getElementById('pdf').click(); 1")
	r.waitFor("the PDF shown", 10*time.Second, func() bool {
		res, err := r.eval("1")
		return err == nil && strings.HasSuffix(res.URI, "/doc.pdf")
	})
}

func TestShell_FullscreenWithAndWithoutWM(t *testing.T) {
	for _, wm := range []bool{false, true} {
		name := "no window manager"
		if wm {
			name = "matchbox"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, rigOptions{wm: wm})
			r.log.wait(t, "welcome ready", 0, 15*time.Second)
			var geo string
			r.waitFor("a window covering the screen", 10*time.Second, func() bool {
				cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Kiosk$", "getwindowgeometry", "--shell")
				cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
				out, err := cmd.Output()
				geo = string(out)
				return err == nil && strings.Contains(geo, "X=0\n") && strings.Contains(geo, "Y=0\n") &&
					strings.Contains(geo, "WIDTH=1280\n") && strings.Contains(geo, "HEIGHT=800\n")
			})
			res := r.mustEval("window.innerWidth + 'x' + window.innerHeight")
			if string(res.Result) != `"1280x800"` {
				t.Errorf("page viewport = %s, want 1280x800 (window: %s)", res.Result, geo)
			}
		})
	}
}
