//go:build webview && linux

package kiosk_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// helpCount returns the number of help requests of the service's session.
func (r *rig) helpCount() int {
	r.t.Helper()
	h, _ := r.apiState()["help"].([]any)
	return len(h)
}

// noHelpFor fails the test if a help request appears within d (an absence
// has no event to wait for: the bound is generous for a loopback call).
func (r *rig) noHelpFor(what string, d time.Duration) {
	r.t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := r.helpCount(); n != 0 {
			r.t.Fatalf("%s: %d help requests, want none", what, n)
		}
	}
}

// A help request needs the resident's own press: an allowed site's script
// cannot raise one, even right after a touch, nor by opening the portal's
// "Besoin d'aide" page (which any page may load); the resident's press on
// that page's button does.
func TestShell_HelpNeedsResidentPress(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.sessionOn("")

	if got := r.callFromPage("kioskHelp", true); !strings.Contains(got, "toolbar_only") {
		t.Errorf("kioskHelp() from the site's script after a touch: %s, want a toolbar_only rejection", got)
	}

	// The site's script opens the help page.
	r.mustEval("location.href = 'http://kiosk.invalid/aide?site=" + siteHost + "'; 1")
	r.waitEval("the help page", "location.host === 'kiosk.invalid' && location.pathname === '/aide' && document.readyState === 'complete'", 10*time.Second)
	// The page's calls reach the shell in order: once this one is
	// answered, one made on load has been sent to the service.
	r.mustEval("window.__b = false; kioskState().then(function () { window.__b = true; }); 1")
	r.waitEval("a call from the help page answered", "window.__b", 5*time.Second)
	r.noHelpFor("the help page opened by a site", 2*time.Second)
	if got := string(r.mustEval("!!document.querySelector('[data-help]') + ' ' + document.getElementById('help-sent').hidden").Result); got != `"true true"` {
		t.Fatalf("help page: button shown, « agent told » hidden = %s, want a button and nothing said before any press", got)
	}
	// The shell itself refuses a portal page's call without the resident's
	// input (the last touch was more than 2 s ago).
	if got := r.callFromPage("kioskHelp", false); !strings.Contains(got, "no_gesture") {
		t.Errorf("kioskHelp() on the help page without input: %s, want a no_gesture rejection", got)
	}
	// A script's click on the page's button asks nobody either.
	r.touchEval("document.querySelector('[data-help]').click(); 1")
	r.noHelpFor("a script's click on the help page's button", time.Second)

	// The resident presses "Demander à un agent".
	r.click("[data-help]")
	r.waitFor("the help request", 10*time.Second, func() bool { return r.helpCount() == 1 })
	r.waitEval("« an agent was told »", "!document.getElementById('help-sent').hidden", 5*time.Second)
}

// kioskState tells an allowed site's page (and its third-party scripts)
// whether a session is open and its language, not the agent's name, the
// hosts an agent opened nor the help requests; the portal's pages and the
// toolbar (its own script world) still get them.
func TestShell_KioskStateForSites(t *testing.T) {
	r := agentRig(t)
	r.waitEval("the welcome page", "location.pathname === '/' && document.readyState === 'complete'", 10*time.Second)
	if rej := r.rejection("kioskUnlock('" + agentPIN + "', 'fr')"); rej != "" {
		t.Fatalf("kioskUnlock on the welcome page: rejected %s", rej)
	}
	r.mustEval("location.href = 'http://kiosk.invalid/blocked?host=" + blockedHost + "'; 1")
	r.waitEval("the blocked page", "location.pathname === '/blocked' && document.readyState === 'complete'", 10*time.Second)
	if rej := r.rejection("kioskOverride('" + agentPIN + "', '" + blockedHost + "')"); rej != "" {
		t.Fatalf("kioskOverride on the blocked page: rejected %s", rej)
	}
	r.openPage("")
	r.pressToolbar("help")
	r.waitFor("the help request", 10*time.Second, func() bool { return r.helpCount() == 1 })
	st := r.apiState()
	if st["agent"] != agentName || fmt.Sprint(st["overrides"]) != "["+blockedHost+"]" {
		t.Fatalf("service state: agent %v, overrides %v; want %s and [%s]", st["agent"], st["overrides"], agentName, blockedHost)
	}
	// The toolbar, in its own world, still shows the agent's name.
	r.waitEval("the agent's name in the toolbar", "document.querySelector('kiosk-toolbar').shadowRoot.querySelector('.time').textContent.indexOf('"+agentName+"') >= 0", 10*time.Second)

	stateOf := func() map[string]any {
		t.Helper()
		r.mustEval("window.__s = undefined; kioskState().then(function (s) { window.__s = JSON.stringify(s); }, function (e) { window.__s = 'rejected ' + e; }); 1")
		r.waitEval("kioskState() settled", "window.__s !== undefined", 5*time.Second)
		var s string
		_ = json.Unmarshal(r.mustEval("window.__s").Result, &s)
		got := map[string]any{}
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatalf("kioskState() gave %q: %v", s, err)
		}
		return got
	}
	site := stateOf()
	raw, _ := json.Marshal(site)
	for _, secret := range []string{agentName, blockedHost, "help", "agent", "overrides", "pin_failures"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("kioskState() on the site's page gives %s: it holds %q", raw, secret)
		}
	}
	if site["state"] != "active" || site["lang"] != "fr" {
		t.Errorf("kioskState() on the site's page = %s, want state active and lang fr", raw)
	}
	// The portal's start page still reads the whole state.
	r.mustEval("location.href = 'http://kiosk.invalid/home'; 1")
	r.waitEval("the start page", "location.pathname === '/home' && document.readyState === 'complete'", 10*time.Second)
	if portal := stateOf(); portal["agent"] != agentName || fmt.Sprint(portal["overrides"]) != "["+blockedHost+"]" {
		t.Errorf("kioskState() on the portal: agent %v, overrides %v; want %s and [%s]", portal["agent"], portal["overrides"], agentName, blockedHost)
	}
}
