//go:build webview && linux

package kiosk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestShell_AllowedAndBlocked(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()

	const allowedHTTP = `kiosk_proxy_requests_total{decision="allowed",kind="http"}`
	const deniedHTTP = `kiosk_proxy_requests_total{decision="denied",kind="http"}`
	allowed0 := r.metric(allowedHTTP)
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the allowed page", "location.href === '"+siteURL+"' && document.getElementById('h')", 10*time.Second)
	if got := r.origin.count("/"); got == 0 {
		t.Fatalf("origin got no request for / : the page did not load")
	}
	if got := r.metric(allowedHTTP); got <= allowed0 {
		t.Errorf("proxy's allowed http requests: %v, then %v: the page did not come through the proxy", allowed0, got)
	}

	// Nothing may reach the network outside the proxy: no WebRTC (UDP).
	if res := r.mustEval("typeof RTCPeerConnection + ' ' + typeof navigator.mediaDevices"); string(res.Result) != `"undefined undefined"` {
		t.Errorf("WebRTC / media devices exposed to pages: %s", res.Result)
	}

	denied0 := r.metric(deniedHTTP)
	r.mustEval("document.getElementById('blocked').click(); 1")
	res := r.waitEval("the blocked page", "location.host === 'kiosk.invalid' && location.pathname === '/blocked'", 10*time.Second)
	if !strings.Contains(res.URI, "host="+blockedHost) {
		t.Errorf("blocked page URI = %q, want host=%s", res.URI, blockedHost)
	}
	body := r.mustEval("document.body.innerText")
	if !strings.Contains(string(body.Result), blockedHost) {
		t.Errorf("blocked page does not name %s: %s", blockedHost, body.Result)
	}
	if got := r.metric(deniedHTTP); got <= denied0 {
		t.Errorf("proxy's denied http requests: %v, then %v: want the refused request refused by the proxy too", denied0, got)
	}
	if got := r.origin.count("/page"); got != 0 {
		t.Errorf("origin got %d requests for the refused page", got)
	}
	// "Retour" goes back to the allowed page, not to the refused one.
	r.touchEval("kioskBack(); 1")
	r.waitEval("back on the allowed page", "location.href === '"+siteURL+"'", 10*time.Second)
}

func TestShell_KillBrowser(t *testing.T) {
	r := newRig(t, rigOptions{})
	first := r.log.wait(t, "welcome ready", 0, 15*time.Second)
	started := r.log.wait(t, "browser started", 0, time.Second)
	profile := started.fields["profile"]
	r.startSession()
	mark := r.log.len()
	killed := time.Now()
	if err := syscallKill(first.pid()); err != nil {
		t.Fatalf("killing the browser process: %v", err)
	}
	next := r.log.wait(t, "welcome ready", mark, 5*time.Second)
	if d := time.Since(killed); d > 3*time.Second {
		t.Errorf("new welcome screen after %v, want < 3s", d)
	}
	if next.pid() == first.pid() {
		t.Fatalf("welcome ready from the killed pid %d", first.pid())
	}
	if _, err := os.Lstat(profile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("profile %s of the killed browser: Lstat err = %v, want not exist", profile, err)
	}
	ended := r.log.wait(t, "browser ended", mark, time.Second)
	if ended.fields["crashed"] != "true" {
		t.Errorf("browser ended crashed=%s, want true", ended.fields["crashed"])
	}
}

func TestShell_HungPageEndsAsCrash(t *testing.T) {
	r := newRig(t, rigOptions{shellArgs: []string{"--hung-page", "10s"}})
	first := r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()
	mark := r.log.len()
	// The eval never returns: the page loops forever.
	go func() { _, _ = r.eval("for (;;) {}") }()
	r.log.wait(t, "web process hung: terminating it", mark, 30*time.Second)
	next := r.log.wait(t, "welcome ready", mark, 10*time.Second)
	if next.pid() == first.pid() {
		t.Fatalf("welcome ready from the hung browser %d", next.pid())
	}
	ended := r.log.wait(t, "browser ended", mark, time.Second)
	if ended.fields["crashed"] != "true" {
		t.Errorf("browser ended crashed=%s, want true", ended.fields["crashed"])
	}
}

func TestShell_AllowlistReloadDuringSession(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()
	r.mustEval("location.href = 'http://" + blockedHost + "/page'; 1")
	r.waitEval("the blocked page", "location.pathname === '/blocked'", 10*time.Second)

	mark := r.log.len()
	more := testAllowlist + `  - name: Other
    hosts:
      - .` + blockedHost + "\n"
	if err := os.WriteFile(filepath.Join(r.dir, "allowlist.yaml"), []byte(more), 0o644); err != nil {
		t.Fatal(err)
	}
	r.log.wait(t, "allowlist reloaded", mark, 20*time.Second)
	r.mustEval("location.href = 'http://" + blockedHost + "/page'; 1")
	r.waitEval("the newly allowed page", "location.host === '"+blockedHost+"' && document.getElementById('h')", 10*time.Second)
}

// An allowed site's own script cannot act for the resident: outside the
// portal's pages the toolbar's actions (end, help, continue, home, back,
// activity) need a touch, click or key that GTK saw first.
func TestShell_ToolbarActionsNeedResidentInput(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the allowed page", "location.href === '"+siteURL+"' && document.getElementById('h')", 10*time.Second)

	// Those the blocked page also uses: refused without the resident's input.
	mark := r.log.len()
	gesture := []string{"kioskHelp", "kioskHome", "kioskBack"}
	for _, fn := range gesture {
		if got := r.callFromPage(fn, false); !strings.Contains(got, "no_gesture") {
			t.Errorf("%s() from the site's script without input: %s, want a no_gesture rejection", fn, got)
		}
	}
	if n := r.log.count("binding refused without the resident's input", mark); n != len(gesture) {
		t.Errorf("logged %d refusals, want %d", n, len(gesture))
	}
	// The actions only the toolbar takes (it runs in a script world of its
	// own): refused to the page, even right after the resident's touch.
	mark = r.log.len()
	toolbarOnly := []string{"kioskEnd", "kioskContinue", "kioskActivity", "kioskPrint", "kioskScan", "kioskAttach"}
	for _, fn := range toolbarOnly {
		if got := r.callFromPage(fn, true); !strings.Contains(got, "toolbar_only") {
			t.Errorf("%s() from the site's script after a touch: %s, want a toolbar_only rejection", fn, got)
		}
	}
	if n := r.log.count("binding refused: only the kiosk's toolbar may call it", mark); n != len(toolbarOnly) {
		t.Errorf("logged %d toolbar-only refusals, want %d", n, len(toolbarOnly))
	}
	r.mustEval("kioskState().then(function (s) { window.__st = s.state; }); 1")
	r.waitEval("the state", "window.__st", 5*time.Second)
	if got := string(r.mustEval("window.__st + ' ' + location.href").Result); got != `"active `+siteURL+`"` {
		t.Errorf("after the refused calls: %s, want the session still active on the site", got)
	}

	// The toolbar's own buttons, pressed by a script (an untrusted event),
	// even right after a touch: ignored, and the shell hears of it.
	for _, cls := range []string{"home", "end", "help"} {
		mark = r.log.len()
		r.touchEval("document.querySelector('kiosk-toolbar').shadowRoot.querySelector('button." + cls + "').click(); 1")
		r.log.wait(t, "toolbar: a press not made by the resident ignored", mark, 5*time.Second)
	}
	if got := string(r.mustEval("location.href + ' ' + !document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.confirm').hidden").Result); got != `"`+siteURL+` false"` {
		t.Errorf("after a script pressed the toolbar: %s, want still on %s with no confirmation shown", got, siteURL)
	}
	// Pressed by the resident (the real pointer), "Accueil" brings the
	// start page.
	r.pressToolbar("home")
	r.waitEval("the start page", "location.host === 'kiosk.invalid' && location.pathname === '/home'", 10*time.Second)
}

// WebKit's web process, which parses and runs the sites' content, runs in
// bubblewrap's sandbox: its own mount namespace, where the kiosk's files
// (here the local API's token) do not exist. It stays in the browser
// process's group, so that the end of a session kills it with the rest.
func TestShell_WebProcessSandboxed(t *testing.T) {
	r := newRig(t, rigOptions{})
	ready := r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()
	browser := ready.pid()
	token := filepath.Join(r.data, "api.token")
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/root%s", browser, token)); err != nil {
		t.Fatalf("the browser process does not see the API token through /proc/PID/root: %v", err)
	}
	browserNS, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", browser))
	if err != nil {
		t.Fatal(err)
	}
	web := 0
	for _, p := range descendants(browser) {
		if pg, err := syscall.Getpgid(p.pid); err == nil && pg != browser {
			t.Errorf("%s (pid %d) is in process group %d, not the browser's %d: the end of a session would not kill it", p.comm, p.pid, pg, browser)
		}
		if !strings.HasPrefix(p.comm, "WebKitWebProces") {
			continue
		}
		web++
		ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", p.pid))
		if ns == browserNS {
			t.Errorf("web process %d shares the browser's mount namespace %s: not sandboxed", p.pid, ns)
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/root%s", p.pid, token)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("web process %d sees %s (stat: %v)", p.pid, token, err)
		}
	}
	if web == 0 {
		t.Fatalf("no WebKitWebProcess under the browser process %d", browser)
	}
}

// proc is a running process.
type proc struct {
	pid  int
	comm string
}

// descendants lists the processes under pid (children, grandchildren…).
func descendants(pid int) []proc {
	parent := map[int]int{}
	comm := map[int]string{}
	entries, _ := filepath.Glob("/proc/[0-9]*")
	for _, e := range entries {
		p, err := strconv.Atoi(filepath.Base(e))
		if err != nil {
			continue
		}
		st, err := os.ReadFile(e + "/stat")
		i := bytes.LastIndexByte(st, ')')
		if err != nil || i < 0 || i+2 > len(st) {
			continue
		}
		f := strings.Fields(string(st[i+2:])) // state ppid ...
		if len(f) < 2 {
			continue
		}
		parent[p], _ = strconv.Atoi(f[1])
		c, _ := os.ReadFile(e + "/comm")
		comm[p] = strings.TrimSpace(string(c))
	}
	var out []proc
	for p := range parent {
		for a, n := parent[p], 0; a > 1 && n < 64; a, n = parent[a], n+1 {
			if a == pid {
				out = append(out, proc{p, comm[p]})
				break
			}
		}
	}
	return out
}

// callFromPage calls the binding fn from the page's own script (after a
// touch of the resident if touch) and returns how its Promise settled:
// "resolved" or "rejected <reason>".
func (r *rig) callFromPage(fn string, touch bool) string {
	r.t.Helper()
	js := "window.__r = ''; " + fn + "().then(function () { window.__r = 'resolved'; }, function (e) { window.__r = 'rejected ' + e; }); 1"
	if touch {
		r.touchEval(js)
	} else {
		r.mustEval(js)
	}
	r.waitEval(fn+" settled", "window.__r !== ''", 5*time.Second)
	var got string
	_ = json.Unmarshal(r.mustEval("window.__r").Result, &got)
	return got
}
