package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/agent"
)

// sleepRecorder replaces the limiter's sleep: it records each delay and
// returns at once, so tests see the delays without waiting them.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays = append(s.delays, d)
	return ctx.Err()
}

// last returns the delay of the last attempt.
func (s *sleepRecorder) last() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.delays) == 0 {
		return -1
	}
	return s.delays[len(s.delays)-1]
}

func recordSleeps(f *fixture) *sleepRecorder {
	rec := &sleepRecorder{}
	f.srv.limiter.sleep = rec.sleep
	return rec
}

// tryLogin posts a login with its own fresh form token and returns the
// response and body.
func (f *fixture) tryLogin(c *http.Client, name, password string) (*http.Response, string) {
	f.t.Helper()
	_, body := f.get(c, "/login")
	return f.post(c, "/login", url.Values{"csrf": {csrfOf(f.t, body)}, "name": {name}, "password": {password}, "next": {"/"}})
}

// TestServer_LoginNoLockout: a flood of wrong passwords for one account from
// the machine itself slows that account's checks to at most maxAccountDelay
// each, but never refuses its right password, and leaves other accounts
// alone. (The old per-address throttle refused every local client for up
// to 15 minutes.)
func TestServer_LoginNoLockout(t *testing.T) {
	var st *agent.Store
	f := newFixture(t, withAgents(t, t.TempDir(), &st))
	f.setPassword()
	rec := recordSleeps(f)
	c := f.client()
	for i := range 40 {
		resp, body := f.tryLogin(c, "", "wrong password "+strconv.Itoa(i))
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Nom ou mot de passe incorrect.") {
			t.Fatalf("wrong attempt %d = %s, want 401", i, resp.Status)
		}
		want := delayAfter(i, accountFirstDelay, maxAccountDelay)
		if got := rec.last(); got != want {
			t.Fatalf("wrong attempt %d waited %v, want %v", i, got, want)
		}
		if i == freeFailures-1 && !strings.Contains(body, "attend 1 s avant") {
			t.Errorf("after %d failures the page does not announce the delay:\n%s", i+1, body)
		}
	}
	// Capped, growing: 0 0 0 1s 2s 4s 5s 5s...
	if got := delayAfter(40, accountFirstDelay, maxAccountDelay); got != maxAccountDelay || maxAccountDelay > 10*time.Second {
		t.Fatalf("delay after 40 failures = %v, want the cap %v (a few seconds)", got, maxAccountDelay)
	}

	// Another account, typed by someone else on the machine, is not slowed.
	c2 := f.client()
	if resp, _ := f.tryLogin(c2, agentName, agentPasswd); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account during the flood = %s, want 303", resp.Status)
	}
	if got := rec.last(); got != 0 {
		t.Errorf("other account waited %v, want 0", got)
	}
	// The right password of the flooded account: checked after the capped
	// delay, and accepted.
	c3 := f.client()
	if resp, body := f.tryLogin(c3, "", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after the flood = %s, want 303:\n%s", resp.Status, body)
	}
	if got := rec.last(); got != maxAccountDelay {
		t.Errorf("right password waited %v, want %v", got, maxAccountDelay)
	}
	// A success clears the account.
	if resp, _ := f.tryLogin(f.client(), "ADMIN", "wrong again!"); resp.StatusCode != http.StatusUnauthorized || rec.last() != 0 {
		t.Errorf("after a success: %s, waited %v, want 401 without delay", resp.Status, rec.last())
	}
}

// TestServer_LoginUnknownNameSame: an unknown name earns the same answers and
// delays as a known one, so neither tells which accounts exist.
func TestServer_LoginUnknownNameSame(t *testing.T) {
	var st *agent.Store
	f := newFixture(t, withAgents(t, t.TempDir(), &st))
	f.setPassword()
	rec := recordSleeps(f)
	run := func(name string) ([]string, []time.Duration) {
		var bodies []string
		var delays []time.Duration
		for i := range freeFailures + 1 {
			resp, body := f.tryLogin(f.client(), name, "wrong password "+strconv.Itoa(i))
			bodies = append(bodies, resp.Status+strings.ReplaceAll(body, name, "NAME"))
			delays = append(delays, rec.last())
		}
		return bodies, delays
	}
	knownBodies, knownDelays := run(agentName)
	unknownBodies, unknownDelays := run("Personne Inconnue")
	for i := range knownBodies {
		kb := csrfRE.ReplaceAllString(knownBodies[i], "")
		ub := csrfRE.ReplaceAllString(unknownBodies[i], "")
		if kb != ub {
			t.Errorf("attempt %d: known and unknown names get different pages:\n%s\n---\n%s", i, kb, ub)
		}
		if knownDelays[i] != unknownDelays[i] {
			t.Errorf("attempt %d: known name waited %v, unknown %v", i, knownDelays[i], unknownDelays[i])
		}
	}
	if unknownDelays[len(unknownDelays)-1] == 0 {
		t.Error("an unknown name is never slowed, want the same delays as a known one")
	}
}

// TestServer_UnknownNameHashes: without agent accounts, a name other than
// admin still costs one argon2id run, like a wrong admin password.
func TestServer_UnknownNameHashes(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	for range cap(f.srv.hashSem) {
		f.srv.hashSem <- struct{}{}
	}
	done := make(chan bool)
	go func() {
		_, ok := f.srv.authenticate("personne", testPassword)
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("an unknown name was answered without an argon2id run")
	case <-time.After(300 * time.Millisecond):
	}
	for range cap(f.srv.hashSem) {
		<-f.srv.hashSem
	}
	select {
	case ok := <-done:
		if ok {
			t.Error("unknown name authenticated")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("authenticate did not return")
	}
}

// remoteLogin sends a login from a LAN address through the handler.
func (f *fixture) remoteLogin(addr, password string) *httptest.ResponseRecorder {
	f.t.Helper()
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, localRequest("GET", "/login", nil, addr))
	cookies := w.Result().Cookies()
	form := url.Values{"csrf": {csrfOf(f.t, w.Body.String())}, "password": {password}}
	r := localRequest("POST", "/login", strings.NewReader(form.Encode()), addr)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w = httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

// TestServer_LoginThrottledRemote: a LAN client is refused after its free
// failures, even with the right password, while the console still logs in.
func TestServer_LoginThrottledRemote(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	recordSleeps(f) // the account's delay grows too; do not wait it
	const lan = "192.0.2.7:5000"
	for i := range freeFailures {
		if w := f.remoteLogin(lan, "wrong password "+strconv.Itoa(i)); w.Code != http.StatusUnauthorized {
			t.Fatalf("remote wrong attempt %d = %d, want 401", i, w.Code)
		}
	}
	w := f.remoteLogin(lan, testPassword)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" || !strings.Contains(w.Body.String(), "Réessayez dans 2 secondes") {
		t.Fatalf("remote right password during its delay = %d Retry-After %q, want 429 and 2:\n%s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	// Another LAN client and the console are not refused.
	if w := f.remoteLogin("198.51.100.9:5000", testPassword); w.Code != http.StatusSeeOther {
		t.Errorf("other LAN client = %d, want 303", w.Code)
	}
	if resp, _ := f.tryLogin(f.client(), "", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("console login = %s, want 303", resp.Status)
	}
	// Each further failure doubles the client's delay.
	f.clock.Add(2 * time.Second)
	f.remoteLogin(lan, "still wrong")
	if w := f.remoteLogin(lan, testPassword); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "4" {
		t.Fatalf("after %d failures: %d Retry-After %q, want 429 and 4", freeFailures+1, w.Code, w.Header().Get("Retry-After"))
	}
	f.clock.Add(4 * time.Second)
	if w := f.remoteLogin(lan, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("remote right password after its delay = %d, want 303", w.Code)
	}
}

// TestServer_LoginParallelBurst: parallel wrong passwords from the machine
// are all checked and counted, none refused (the old per-address throttle
// refused all but the first few with 429).
func TestServer_LoginParallelBurst(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	recordSleeps(f)
	c := f.client()
	_, body := f.get(c, "/login")
	tok := csrfOf(t, body)
	const n = 20
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, _ := f.post(c, "/login", url.Values{"csrf": {tok}, "password": {"wrong " + strconv.Itoa(i)}})
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", code)
		}
	}
	l := f.srv.limiter
	l.mu.Lock()
	got := l.accounts[accountKey("")].count
	l.mu.Unlock()
	if got != n {
		t.Errorf("%d failures counted, want %d", got, n)
	}
	if len(l.local) != 0 {
		t.Errorf("%d slots still taken after the burst", len(l.local))
	}
}

// TestLimiter_Slots: attempts beyond the slots wait, then get errBusy; the
// loopback and remote slots are separate, so a LAN flood does not hold up
// the console.
func TestLimiter_Slots(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clk.Now)
	l.slotWait = 50 * time.Millisecond
	ctx := t.Context()
	var held []*attempt
	for i := range attemptSlots {
		a, err := l.begin(ctx, "x", "192.0.2."+strconv.Itoa(i+1)+":1")
		if err != nil {
			t.Fatalf("remote attempt %d: %v", i, err)
		}
		held = append(held, a)
	}
	if _, err := l.begin(ctx, "x", "192.0.2.99:1"); !errors.Is(err, errBusy) {
		t.Fatalf("remote attempt beyond the slots: %v, want errBusy", err)
	}
	a, err := l.begin(ctx, "x", "127.0.0.1:4000")
	if err != nil {
		t.Fatalf("console attempt while the remote slots are full: %v", err)
	}
	a.end(true)
	// A waiting attempt gets the slot an ended one frees.
	l.slotWait = time.Minute
	got := make(chan error, 1)
	go func() {
		a, err := l.begin(ctx, "x", "192.0.2.99:1")
		if err == nil {
			a.end(false)
		}
		got <- err
	}()
	held[0].end(false)
	if err := <-got; err != nil {
		t.Fatalf("waiting attempt: %v, want the freed slot", err)
	}
	// A cancelled request stops waiting.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	for _, a := range held[1:] {
		defer a.end(false)
	}
	l.remote <- struct{}{} // fill the slot the waiting attempt freed
	if _, err := l.begin(cctx, "x", "192.0.2.98:1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled attempt: %v, want context.Canceled", err)
	}
}

// TestLimiter_CancelledDelay: a client that goes away during its delay has
// nothing checked, frees its slot and earns no failure.
func TestLimiter_CancelledDelay(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clk.Now)
	for range freeFailures {
		a, err := l.begin(t.Context(), "admin", "127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		a.end(false)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.begin(ctx, "admin", "127.0.0.1:1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("begin with a cancelled request = %v, want context.Canceled (the delay is %v)", err, l.delay("admin"))
	}
	if n := len(l.local); n != 0 {
		t.Errorf("%d slots still taken", n)
	}
	if d := l.delay("admin"); d != accountFirstDelay {
		t.Errorf("delay after the cancelled attempt = %v, want %v (no failure counted)", d, accountFirstDelay)
	}
}

func TestLimiter_RemoteGlobalCap(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clk.Now)
	l.sleep = func(context.Context, time.Duration) error { return nil }
	for i := range remoteBurst {
		a, err := l.begin(t.Context(), "u"+strconv.Itoa(i), "192.0.2."+strconv.Itoa(i)+":1000")
		if err != nil {
			t.Fatalf("client %d refused before the cap: %v", i, err)
		}
		a.end(false)
	}
	if d := l.clientWait("198.51.100.7:1"); d == 0 {
		t.Fatal("a new remote client may try after the global cap, want a wait")
	}
	var cw *clientWaitError
	if _, err := l.begin(t.Context(), "v", "198.51.100.7:1"); !errors.As(err, &cw) {
		t.Fatalf("new remote client after the cap: %v, want *clientWaitError", err)
	}
	// The console is not part of the remote budget.
	if d := l.clientWait("127.0.0.1:1"); d != 0 {
		t.Errorf("console wait = %v, want 0", d)
	}
	if a, err := l.begin(t.Context(), "w", "[::1]:1"); err != nil {
		t.Errorf("console attempt after the remote cap: %v", err)
	} else {
		a.end(false)
	}
	clk.Add(remoteRefill)
	if d := l.clientWait("198.51.100.7:1"); d != 0 {
		t.Fatalf("after refill wait = %v, want 0", d)
	}
}

// TestLimiter_FullTable: once a flood of made-up names fills the table, a
// name not in it waits the longest delay (instead of pushing an attacked
// account out of the table), until old entries are forgotten.
func TestLimiter_FullTable(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clk.Now)
	for i := range maxKeys {
		l.accounts["flood"+strconv.Itoa(i)] = &failures{count: 1, last: clk.Now()}
	}
	if d := l.delay("admin"); d != maxAccountDelay {
		t.Fatalf("delay of a new name in a full table = %v, want %v", d, maxAccountDelay)
	}
	clk.Add(forgetAfter + time.Second)
	if d := l.delay("admin"); d != 0 {
		t.Fatalf("delay once the flood is forgotten = %v, want 0", d)
	}
}

func TestAccountKey(t *testing.T) {
	testCases := []struct{ a, b string }{
		{"", "admin"},
		{"  Admin ", "admin"},
		{"ADMIN", "admin"},
		{"Jean Dupuis", "jean dupuiſ"}, // long s folds to s
		{"Kevin", "\u212aevin"},        // Kelvin sign folds to k
		{"Émilie", "émilie"},
	}
	for _, tc := range testCases {
		if !strings.EqualFold(strings.TrimSpace(tc.a), strings.TrimSpace(tc.b)) && tc.a != "" {
			t.Fatalf("test case %q/%q: not equal under EqualFold", tc.a, tc.b)
		}
		if ka, kb := accountKey(tc.a), accountKey(tc.b); ka != kb {
			t.Errorf("accountKey(%q) = %q, accountKey(%q) = %q, want the same", tc.a, ka, tc.b, kb)
		}
	}
	if accountKey("marie") == accountKey("marie2") {
		t.Error("different names share a key")
	}
}

func TestClientKey(t *testing.T) {
	testCases := []struct{ in, want string }{
		{"192.0.2.1:5000", "192.0.2.1"},
		{"[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:80", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
	}
	for _, tc := range testCases {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
