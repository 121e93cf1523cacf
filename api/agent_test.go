package api_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/session"
)

// fakeClock is the controller's clock (a process edge).
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// checkPIN is a fake PIN check: 482913 is Marie's PIN.
func checkPIN(pin string) (string, error) {
	if pin == "482913" {
		return "Marie", nil
	}
	return "", fmt.Errorf("checking: %w", session.ErrWrongPIN)
}

func TestHandler_Unlock(t *testing.T) {
	clk := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	e := newEnv(t, session.Config{Mode: session.SupervisedOnly, CheckPIN: checkPIN, Now: clk.Now})
	code, m := e.do(t, "POST", "/api/session/start", `{"lang":"ru"}`)
	if code != 200 || m["state"] != "unlock" || m["lang"] != "ru" {
		t.Fatalf("start in supervised-only: %d %v, want 200 unlock ru", code, m)
	}
	for i := 1; i <= 4; i++ {
		code, m = e.do(t, "POST", "/api/session/unlock", `{"pin":"000001"}`)
		if code != http.StatusForbidden || m["code"] != "wrong_pin" || strings.Contains(fmt.Sprint(m), "000001") {
			t.Fatalf("wrong PIN %d: %d %v, want 403 wrong_pin without the PIN", i, code, m)
		}
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/session/unlock", strings.NewReader(`{"pin":"000001"}`))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
		t.Fatalf("5th wrong PIN: %d Retry-After %q, want 429 and 30", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	clk.add(20 * time.Second)
	code, m = e.do(t, "POST", "/api/session/unlock", `{"pin":"482913"}`)
	if code != http.StatusTooManyRequests || m["code"] != "locked" || m["retry_after_s"] != float64(10) {
		t.Fatalf("right PIN while locked: %d %v, want 429 locked retry_after_s 10", code, m)
	}
	_, st := e.do(t, "GET", "/api/state", "")
	if st["pin_retry_s"] != float64(10) || st["pin_locked_until"] != "2026-11-25T09:00:30Z" {
		t.Errorf("state while locked: %v, want pin_retry_s 10 until 09:00:30", st)
	}
	clk.add(10 * time.Second)
	code, m = e.do(t, "POST", "/api/session/unlock", `{"pin":"482913"}`)
	if code != 200 || m["state"] != "active" || m["supervised"] != true || m["agent"] != "Marie" || m["lang"] != "ru" {
		t.Fatalf("unlock: %d %v, want an active supervised session of Marie in ru", code, m)
	}
}

func TestHandler_Override(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, session.Config{Mode: session.Mixed, CheckPIN: checkPIN, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if code, m := e.do(t, "POST", "/api/override", `{"pin":"482913","host":"www.ameli.fr"}`); code != 409 || m["code"] != "wrong_state" {
		t.Fatalf("override outside a session: %d %v, want 409 wrong_state", code, m)
	}
	if code, _ := e.do(t, "POST", "/api/session/start", `{}`); code != 200 {
		t.Fatal("start")
	}
	if code, m := e.do(t, "POST", "/api/override", `{"pin":"999999","host":"www.ameli.fr"}`); code != 403 || m["code"] != "wrong_pin" {
		t.Fatalf("override with a wrong PIN: %d %v", code, m)
	}
	code, m := e.do(t, "POST", "/api/override", `{"pin":"482913","host":"WWW.Ameli.FR."}`)
	if code != 200 || fmt.Sprint(m["overrides"]) != "[www.ameli.fr]" {
		t.Fatalf("override: %d %v, want the canonical host in overrides", code, m)
	}
	if !e.ctl.Override("www.ameli.fr") {
		t.Error("the proxy's Override(www.ameli.fr) is false after the override")
	}
	if !strings.Contains(logs.String(), "wrong agent PIN") || strings.Contains(logs.String(), "482913") || strings.Contains(logs.String(), "999999") {
		t.Errorf("a PIN reached the log: %s", logs.String())
	}
	// "Session accompagnée" during the session.
	code, m = e.do(t, "POST", "/api/session/unlock", `{"pin":"482913"}`)
	if code != 200 || m["supervised"] != true {
		t.Errorf("unlock during a mixed session: %d %v", code, m)
	}
}

func TestHandler_Cancel(t *testing.T) {
	e := newEnv(t, session.Config{Mode: session.Mixed, CheckPIN: checkPIN})
	if code, m := e.do(t, "POST", "/api/session/start", `{"supervised":true}`); code != 200 || m["state"] != "unlock" {
		t.Fatalf("start supervised: %d %v", code, m)
	}
	if code, m := e.do(t, "POST", "/api/session/cancel", ``); code != 200 || m["state"] != "welcome" {
		t.Fatalf("cancel: %d %v", code, m)
	}
}
