package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServer_LoginThrottled(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	_, body := f.get(c, "/login")
	tok := csrfOf(t, body)
	try := func(pw string) (*http.Response, string) {
		return f.post(c, "/login", url.Values{"csrf": {tok}, "password": {pw}})
	}
	for i := 1; i < freeFailures; i++ {
		if resp, _ := try("wrong password " + strconv.Itoa(i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong attempt %d = %s, want 401", i, resp.Status)
		}
	}
	// The freeFailures-th failure starts the delay and says so.
	resp, body := try("wrong again!")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Réessayez dans 2 secondes") {
		t.Fatalf("attempt %d = %s, want 401 with the delay shown; body:\n%s", freeFailures, resp.Status, body)
	}
	// Even the right password is refused during the delay.
	resp, body = try(testPassword)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" || !strings.Contains(body, "Trop de tentatives") {
		t.Fatalf("attempt during delay = %s Retry-After %q, want 429 with Retry-After 2", resp.Status, resp.Header.Get("Retry-After"))
	}
	// Each further failure doubles the delay.
	f.clock.Add(2 * time.Second)
	try("still wrong")
	resp, _ = try(testPassword)
	if got := resp.Header.Get("Retry-After"); resp.StatusCode != http.StatusTooManyRequests || got != "4" {
		t.Fatalf("after 5th failure: %s Retry-After %q, want 429 and 4", resp.Status, got)
	}
	f.clock.Add(4 * time.Second)
	if resp, _ := try(testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after the delay = %s, want 303", resp.Status)
	}
}

func TestLimiter_GlobalCap(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clk.Now)
	for i := range globalBurst {
		key := clientKey("192.0.2." + strconv.Itoa(i) + ":1000")
		if d := l.begin(key); d != 0 {
			t.Fatalf("client %d waits %v before the cap", i, d)
		}
		l.end(key, false)
	}
	if d := l.wait(clientKey("198.51.100.7:1")); d == 0 {
		t.Fatal("a new client may try after the global cap, want a wait")
	}
	clk.Add(globalRefill)
	if d := l.wait(clientKey("198.51.100.7:1")); d != 0 {
		t.Fatalf("after refill wait = %v, want 0", d)
	}
}

func TestServer_LoginParallelBurst(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
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
	checked := 0
	for code := range codes {
		switch code {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("status %d, want 401 or 429", code)
		}
	}
	if checked > freeFailures {
		t.Errorf("%d of %d parallel wrong passwords were checked, want at most %d", checked, n, freeFailures)
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
