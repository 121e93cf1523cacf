//go:build webview && linux

package kiosk_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"testing"
	"time"
)

// storeJS sets a cookie, a localStorage entry and an IndexedDB record, then
// sets window.__stored.
const storeJS = `(function () {
  document.cookie = 'kiosktest=1; max-age=86400; path=/';
  localStorage.setItem('kiosktest', '1');
  var req = indexedDB.open('kiosktest', 1);
  req.onupgradeneeded = function () { req.result.createObjectStore('s'); };
  req.onsuccess = function () {
    var tx = req.result.transaction('s', 'readwrite');
    tx.objectStore('s').put('1', 'k');
    tx.oncomplete = function () { window.__stored = true; };
  };
  return 1;
})()`

// checkJS reports in window.__found what of storeJS's data the page sees.
const checkJS = `(function () {
  var found = {cookie: document.cookie.indexOf('kiosktest=1') >= 0, local: localStorage.getItem('kiosktest') === '1', idb: false};
  var req = indexedDB.open('kiosktest', 1);
  req.onupgradeneeded = function () { req.result.createObjectStore('s'); };
  req.onsuccess = function () {
    var get = req.result.transaction('s', 'readonly').objectStore('s').get('k');
    get.onsuccess = function () { found.idb = get.result === '1'; window.__found = found; };
    get.onerror = function () { window.__found = found; };
  };
  req.onerror = function () { window.__found = found; };
  return 1;
})()`

func TestShell_SessionDataWiped(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	profile1 := r.log.wait(t, "browser started", 0, time.Second).fields["profile"]
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site", "location.href === '"+siteURL+"'", 10*time.Second)
	r.mustEval(storeJS)
	r.waitEval("the data stored", "window.__stored === true", 10*time.Second)
	r.mustEval(checkJS)
	r.waitEval("session 1 sees its own data", "window.__found && __found.cookie && __found.local && __found.idb", 10*time.Second)

	next := r.endSession()
	if _, err := os.Lstat(profile1); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("session 1 profile %s: Lstat err = %v, want not exist", profile1, err)
	}
	if next.pid() == 0 {
		t.Fatal("no pid for the second browser process")
	}

	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site again", "location.href === '"+siteURL+"'", 10*time.Second)
	r.mustEval(checkJS)
	res := r.waitEval("session 2's check", "window.__found", 10*time.Second)
	found := r.mustEval("JSON.stringify(window.__found)")
	if string(found.Result) != `"{\"cookie\":false,\"local\":false,\"idb\":false}"` {
		t.Errorf("session 2 sees session 1's data: %s (uri %s)", found.Result, res.URI)
	}
}

func TestShell_IdleTimeout(t *testing.T) {
	r := newRig(t, rigOptions{serveArgs: []string{"--idle-timeout", "2s", "--idle-countdown", "20s"}})
	first := r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.startSession()

	// The countdown comes; "Continuer" keeps the session.
	r.waitEval("the idle countdown", "kioskState().then(function (s) { window.__st = s.state; }) && window.__st === 'countdown'", 10*time.Second)
	r.touchEval("kioskContinue().then(function (s) { window.__cont = s.state; }); 1")
	r.waitEval("the session back to active", "window.__cont === 'active'", 5*time.Second)
	mark := r.log.len()
	if _, ok := r.log.waitOK("browser ended", mark, time.Second); ok {
		t.Fatal("the browser process ended after Continuer")
	}

	// Left alone, the countdown ends the session and a new welcome comes.
	r.waitEval("the idle countdown again", "kioskState().then(function (s) { window.__st = s.state; }) && window.__st === 'countdown'", 10*time.Second)
	next := r.log.wait(t, "welcome ready", mark, 45*time.Second) // the 20 s countdown, then a new browser
	if next.pid() == first.pid() {
		t.Fatalf("the idle session did not end: same browser pid %d", next.pid())
	}
}

func TestShell_ClipboardEmptiedBetweenSessions(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	key := func(keys string) {
		t.Helper()
		cmd := exec.Command("xdotool", "key", "--clearmodifiers", keys)
		cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xdotool key %s (make test installs xdotool): %v %s", keys, err, out)
		}
	}
	// The paste is asynchronous (an X selection transfer) and no event
	// tells that it is done, or that nothing came: the field holds a known
	// sentinel, selected, before Ctrl+V, so any paste replaces it. Session
	// 1's paste must change it; in session 2 the field is watched for
	// longer than session 1's paste took (and at least 3 s), so a slow
	// paste cannot pass for nothing pasted.
	const sentinel = "kiosk-paste-sentinel"
	paste := func() {
		t.Helper()
		r.mustEval("var i = document.getElementById('in2'); i.value = '" + sentinel + "'; i.focus(); i.select(); 1")
		key("ctrl+v")
	}
	field := func() string {
		t.Helper()
		var v string
		if err := json.Unmarshal(r.mustEval("document.getElementById('in2').value").Result, &v); err != nil {
			t.Fatalf("reading the field: %v", err)
		}
		return v
	}
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site", "location.href === '"+siteURL+"' && document.getElementById('in')", 10*time.Second)
	r.mustEval("var i = document.getElementById('in'); i.focus(); i.select(); 1")
	key("ctrl+c")
	t0 := time.Now()
	paste()
	r.waitEval("the paste in session 1", "document.getElementById('in2').value !== '"+sentinel+"'", 10*time.Second)
	took := time.Since(t0)
	if got := field(); got != "kiosk-clipboard-secret" {
		t.Fatalf("paste in session 1 = %q, want the copied text (copy did not work)", got)
	}
	r.endSession()
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site again", "location.href === '"+siteURL+"' && document.getElementById('in2')", 10*time.Second)
	watch := max(3*time.Second, 10*took)
	paste()
	for deadline := time.Now().Add(watch); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got := field(); got != sentinel && got != "" {
			t.Fatalf("paste in session 2 = %q, want nothing (the clipboard of session 1 survived)", got)
		}
	}
	t.Logf("nothing pasted in session 2 within %v (session 1's paste took %v)", watch, took.Round(time.Millisecond))
}
