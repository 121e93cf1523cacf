//go:build webview && linux

package kiosk_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The agent's account and the supervised site of the agent tests.
const (
	agentName  = "Marie"
	agentPIN   = "583920"
	mailHost   = "www.laposte.net"
	mailURL    = "http://" + mailHost + "/mail"
	supervised = `supervised:
  - name: Messagerie
    category: administratif
    home: ` + mailURL + `
    hosts:
      - laposte.net
      - .laposte.net
`
)

// agentRig is a kiosk in mode mixed with one agent and a supervised site.
func agentRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t, rigOptions{
		wm:        true,
		serveArgs: []string{"--mode", "mixed"},
		allowlist: supervised,
		hosts:     []string{mailHost},
		agentPIN:  agentPIN,
	})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	return r
}

// click clicks the middle of the element selector matches with the real
// pointer (xdotool: an X button press and release, as a finger would).
func (r *rig) click(selector string) {
	r.t.Helper()
	sel, _ := json.Marshal(selector)
	r.press("document.querySelector(" + string(sel) + ")")
}

// press clicks the middle of the element the JS expression elem gives (a
// toolbar button in its shadow root, say) with the real pointer.
func (r *rig) press(elem string) {
	r.t.Helper()
	res := r.mustEval(`(function () {
  var e = ` + elem + `;
  if (!e) { return null; }
  var b = e.getBoundingClientRect();
  if (b.width === 0 || b.height === 0) { return null; }
  return [Math.round(window.screenX + b.left + b.width / 2), Math.round(window.screenY + b.top + b.height / 2)];
})()`)
	var xy []int
	if err := json.Unmarshal(res.Result, &xy); err != nil || len(xy) != 2 {
		r.t.Fatalf("press %s: no visible element (%s, uri %s)", elem, res.Result, res.URI)
	}
	cmd := exec.Command("xdotool", "mousemove", "--sync", strconv.Itoa(xy[0]), strconv.Itoa(xy[1]), "click", "1")
	cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("xdotool click (make test installs xdotool): %v %s", err, out)
	}
}

// typePIN taps the digits of pin on the on-screen keypad, which must be open.
func (r *rig) typePIN(pin string) {
	r.t.Helper()
	for i, d := range pin {
		r.click(`#keypad [data-key="` + string(d) + `"]`)
		// Each tap draws one more dot: wait for it, so no tap is lost.
		r.waitEval("dot "+strconv.Itoa(i+1), "document.getElementById('pin-dots').textContent.length === "+strconv.Itoa(i+1), 5*time.Second)
	}
}

// waitKeypad waits until the agent keypad is shown and its keys enabled.
func (r *rig) waitKeypad() {
	r.t.Helper()
	r.waitEval("the agent keypad", "!document.getElementById('keypad').hidden && !document.querySelector('#keypad [data-key=\"1\"]').disabled", 10*time.Second)
}

// apiState reads the service's state from its local API.
func (r *rig) apiState() map[string]any {
	r.t.Helper()
	tok, err := os.ReadFile(filepath.Join(r.data, "api.token"))
	if err != nil {
		r.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/api/state", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	client := &http.Client{Transport: &http.Transport{DialContext: r.ns.DialContext}, Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		r.t.Fatalf("GET /api/state: %v", err)
	}
	defer resp.Body.Close()
	st := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		r.t.Fatalf("GET /api/state: %v", err)
	}
	return st
}

// rejection calls a binding in the page and returns the text it rejected
// with ("" if it resolved).
func (r *rig) rejection(call string) string {
	r.t.Helper()
	r.mustEval("window.__rej = undefined; " + call + ".then(function () { window.__rej = ''; }, function (e) { window.__rej = typeof e === 'string' ? e : 'not a string: ' + String(e); }); 1")
	r.waitEval(call+" settled", "window.__rej !== undefined", 10*time.Second)
	var s string
	_ = json.Unmarshal(r.mustEval("window.__rej").Result, &s)
	return s
}

// errorCode parses a rejection as the API's JSON error body.
func errorCode(t *testing.T, rejected string) (code string, body map[string]any) {
	t.Helper()
	if err := json.Unmarshal([]byte(rejected), &body); err != nil {
		t.Fatalf("rejection %q is not a JSON error body: %v", rejected, err)
	}
	code, _ = body["code"].(string)
	return code, body
}

// TestShell_AgentUnlocksSupervisedSession: in mode mixed, an agent types
// the PIN on the welcome page's on-screen keypad (real clicks); the
// supervised site opens in that session and is refused again in the next.
func TestShell_AgentUnlocksSupervisedSession(t *testing.T) {
	r := agentRig(t)
	r.waitEval("the welcome page", "location.pathname === '/' && document.querySelector('[data-unlock]')", 10*time.Second)
	r.click("[data-unlock]") // "Session accompagnée"
	r.waitKeypad()
	if pre := r.apiState(); pre["state"] != "welcome" {
		t.Fatalf("state before the PIN = %v, want welcome", pre["state"])
	}
	r.typePIN(agentPIN)
	if dir := os.Getenv("KIOSK_SCREENSHOTS"); dir != "" {
		r.shot(filepath.Join(dir, "keypad.png"))
	}
	r.click(`#keypad [data-key="ok"]`)
	r.waitEval("the supervised session's start page", "location.pathname === '/home' && document.readyState === 'complete'", 10*time.Second)
	st := r.apiState()
	if st["state"] != "active" || st["supervised"] != true || st["agent"] != agentName {
		t.Fatalf("after the PIN: state=%v supervised=%v agent=%v, want active, true, %s", st["state"], st["supervised"], st["agent"], agentName)
	}

	// The supervised site's tile is on the start page and opens it.
	r.mustEval("document.querySelector('a.tile[href*=\"site=Messagerie\"]').click(); 1")
	r.waitEval("the supervised site", "location.href === '"+mailURL+"' && document.getElementById('h')", 10*time.Second)
	loaded := r.origin.count("/mail")
	if loaded == 0 {
		t.Fatal("the origin got no request for /mail: the supervised site did not load")
	}

	// The session ends (and is wiped): the next one is not supervised and
	// the same site is refused, by the shell and by the proxy.
	r.endSession()
	r.startSession()
	if st := r.apiState(); st["supervised"] != false {
		t.Fatalf("next session supervised = %v, want false", st["supervised"])
	}
	r.mustEval("location.href = '" + mailURL + "'; 1")
	res := r.waitEval("the blocked page", "location.host === 'kiosk.invalid' && location.pathname === '/blocked'", 10*time.Second)
	if !strings.Contains(res.URI, "host="+mailHost) {
		t.Errorf("blocked page URI = %q, want host=%s", res.URI, mailHost)
	}
	if got := r.origin.count("/mail"); got != loaded {
		t.Errorf("origin got %d requests for /mail after the session, want %d (refused)", got, loaded)
	}
}

// TestShell_AgentOpensBlockedHost: "Demander à un agent" on the blocked
// page, the PIN on the keypad (real clicks) opens the refused host for the
// session; an allowed site's script cannot spend PIN attempts; the host is
// refused again in the next session.
func TestShell_AgentOpensBlockedHost(t *testing.T) {
	r := agentRig(t)
	r.startSession()
	const page = "http://" + blockedHost + "/page"

	// An allowed site's own script may not call the PIN bindings.
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the allowed site", "location.href === '"+siteURL+"' && document.getElementById('h')", 10*time.Second)
	for _, call := range []string{
		"kioskOverride('111111', '" + blockedHost + "')",
		"kioskOverride('111111', '" + siteHost + "')",
		"kioskUnlock('111111', 'fr')",
	} {
		if code, _ := errorCode(t, r.rejection(call)); code != "forbidden" {
			t.Errorf("%s on an allowed site: code %q, want forbidden", call, code)
		}
	}
	if n, _ := r.apiState()["pin_failures"].(float64); n != 0 {
		t.Errorf("pin_failures = %v after the site's calls, want 0 (no PIN checked)", n)
	}

	r.mustEval("document.getElementById('blocked').click(); 1")
	r.waitEval("the blocked page", "location.host === 'kiosk.invalid' && location.pathname === '/blocked' && document.querySelector('[data-help]')", 10*time.Second)
	if got := r.origin.count("/page"); got != 0 {
		t.Fatalf("origin got %d requests for the refused page", got)
	}

	// A wrong PIN: the binding rejects with the API's JSON error body.
	code, body := errorCode(t, r.rejection("kioskOverride('111111', '"+blockedHost+"')"))
	if code != "wrong_pin" || body["error"] == nil {
		t.Errorf("wrong PIN rejected with %v, want code wrong_pin and a message", body)
	}
	if n, _ := r.apiState()["pin_failures"].(float64); n != 1 {
		t.Errorf("pin_failures = %v after one wrong PIN, want 1", n)
	}

	// "Demander à un agent", then the agent's PIN on the keypad.
	r.click("[data-help]")
	r.waitKeypad()
	connect0 := r.metric(`kiosk_proxy_requests_total{decision="allowed",kind="connect"}`)
	r.typePIN(agentPIN)
	r.click(`#keypad [data-key="ok"]`)
	r.waitFor("the override in the state", 10*time.Second, func() bool {
		return fmt.Sprint(r.apiState()["overrides"]) == "["+blockedHost+"]"
	})
	// The keypad then opens https://HOST/: the shell lets it go and the
	// proxy lets it through (the test origin has no TLS: the load goes no
	// further, and the view settles on a page of the kiosk).
	r.waitFor("the CONNECT to the opened host", 10*time.Second, func() bool {
		return r.metric(`kiosk_proxy_requests_total{decision="allowed",kind="connect"}`) > connect0
	})
	r.waitURI("the end of the https load", 10*time.Second, func(u string) bool { return !strings.HasPrefix(u, "https://") })
	r.mustEval("location.href = '" + page + "'; 1")
	r.waitEval("the opened host's page", "location.href === '"+page+"' && document.getElementById('h')", 10*time.Second)
	loaded := r.origin.count("/page")
	if loaded == 0 {
		t.Fatal("origin got no request for /page: the opened host did not load")
	}
	// Only that host: the supervised site stays refused.
	r.mustEval("location.href = '" + mailURL + "'; 1")
	r.waitEval("the supervised site refused", "location.host === 'kiosk.invalid' && location.pathname === '/blocked'", 10*time.Second)

	// The next session: the host is refused again.
	r.endSession()
	r.startSession()
	if st := r.apiState(); st["overrides"] != nil {
		t.Fatalf("next session overrides = %v, want none", st["overrides"])
	}
	r.mustEval("location.href = '" + page + "'; 1")
	res := r.waitEval("the blocked page again", "location.host === 'kiosk.invalid' && location.pathname === '/blocked'", 10*time.Second)
	if !strings.Contains(res.URI, "host="+blockedHost) {
		t.Errorf("blocked page URI = %q, want host=%s", res.URI, blockedHost)
	}
	if got := r.origin.count("/page"); got != loaded {
		t.Errorf("origin got %d requests for /page in the next session, want %d", got, loaded)
	}
}

// TestShell_KeypadLockout: in mode supervised-only "Commencer" opens the
// keypad; after wrong PINs the binding rejects with the API's lockout body
// (code and retry_after_s) and the keypad's keys stay disabled, so taps
// type nothing.
func TestShell_KeypadLockout(t *testing.T) {
	r := newRig(t, rigOptions{
		serveArgs: []string{"--mode", "supervised-only"},
		allowlist: supervised,
		hosts:     []string{mailHost},
		agentPIN:  agentPIN,
	})
	r.log.wait(t, "welcome ready", 0, 15*time.Second)
	r.waitEval("the welcome page", "location.pathname === '/' && document.querySelector('a.btn.big[data-start]')", 10*time.Second)
	r.click("a.btn.big[data-start]") // "Commencer" asks for an agent here
	r.waitKeypad()
	if st := r.apiState(); st["state"] != "welcome" {
		t.Fatalf("state after Commencer = %v, want welcome (no session without a PIN)", st["state"])
	}
	var code string
	var body map[string]any
	for i := 0; i < 6 && code != "locked"; i++ {
		code, body = errorCode(t, r.rejection("kioskUnlock('111111', 'fr')"))
		if code != "wrong_pin" && code != "locked" {
			t.Fatalf("wrong PIN %d rejected with %v, want wrong_pin or locked", i+1, body)
		}
	}
	if code != "locked" {
		t.Fatalf("after 6 wrong PINs: %v, want code locked", body)
	}
	if s, _ := body["retry_after_s"].(float64); s <= 0 {
		t.Errorf("locked rejection %v: want retry_after_s > 0", body)
	}
	// The keypad shows the lockout (it reads pin_locked_until) and its
	// keys refuse taps, even the right PIN's.
	r.mustEval("location.reload(); 1")
	r.waitEval("the welcome page again", "document.readyState === 'complete' && document.querySelector('a.btn.big[data-start]')", 10*time.Second)
	r.click("a.btn.big[data-start]")
	r.waitEval("the locked keypad", "!document.getElementById('keypad').hidden && document.querySelector('#keypad [data-key=\"1\"]').disabled && document.getElementById('pin-msg').textContent !== ''", 10*time.Second)
	r.click(`#keypad [data-key="5"]`)
	// Input events are handled before the next frames' callbacks.
	r.mustEval("window.__painted = false; requestAnimationFrame(function () { requestAnimationFrame(function () { window.__painted = true; }); }); 1")
	r.waitEval("two frames after the tap", "window.__painted", 5*time.Second)
	if dots := r.mustEval("document.getElementById('pin-dots').textContent.length"); string(dots.Result) != "0" {
		t.Errorf("a tap on the locked keypad typed %s digits, want 0", dots.Result)
	}
	if st := r.apiState(); st["state"] != "welcome" || st["pin_locked_until"] == nil {
		t.Errorf("state %v, pin_locked_until %v: want welcome and a lockout", st["state"], st["pin_locked_until"])
	}
}
