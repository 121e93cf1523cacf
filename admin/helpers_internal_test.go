package admin

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/passhash"
	"github.com/communes/kiosk/usage"
	"github.com/prometheus/client_golang/prometheus"
)

func TestMain(m *testing.M) {
	// Cheap argon2id for tests; docs/admin.md documents the real cost.
	hashParams = passhash.Params{Time: 1, MemoryKiB: 1024, Threads: 1, KeyLen: 32}
	code := m.Run()
	if benchSeed.dir != "" {
		os.RemoveAll(benchSeed.dir)
	}
	os.Exit(code)
}

// testPassword is a valid admin password.
const testPassword = "correct horse battery"

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testLoc is the calendar of the tests (France in winter, no tzdata needed).
var testLoc = time.FixedZone("CET", 3600)

// fixture is an admin server on a real usage store and a real listener.
type fixture struct {
	t      testing.TB
	dir    string
	clock  *fakeClock
	store  *usage.Store
	srv    *Server
	http   *httptest.Server
	status Status
	mu     sync.Mutex
	reg    *prometheus.Registry
}

type fixtureOpt func(*Config)

func newFixture(t testing.TB, opts ...fixtureOpt) *fixture {
	t.Helper()
	return newFixtureFrom(t, "", opts...)
}

// newFixtureFrom is newFixture on a copy of the usage file seed ("" for an
// empty store).
func newFixtureFrom(t testing.TB, seed string, opts ...fixtureOpt) *fixture {
	t.Helper()
	dir := t.TempDir()
	if seed != "" {
		b, err := os.ReadFile(seed)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "usage.db"), b, 0o600)
		}
		if err != nil {
			t.Fatalf("copying seed store: %v", err)
		}
	}
	f := &fixture{t: t, dir: dir, clock: &fakeClock{t: time.Date(2026, 11, 25, 14, 30, 0, 0, testLoc)}}
	st, err := usage.Open(&usage.Config{Path: filepath.Join(dir, "usage.db"), Now: f.clock.Now,
		Location: testLoc, FlushInterval: -1})
	if err != nil {
		t.Fatalf("usage.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	f.status = Status{AllowlistFile: "/etc/kiosk/allowlist.yaml", AllowlistLoaded: f.clock.Now(), AllowlistSites: 12, ProxyAddr: "127.0.0.1:3128"}
	f.reg = prometheus.NewRegistry()
	c := &Config{
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Store:        st,
		Credentials:  filepath.Join(dir, CredentialsFileName),
		Status:       f.getStatus,
		Gatherer:     f.reg,
		APITokenFile: filepath.Join(dir, "api.token"),
		Location:     testLoc,
		Now:          f.clock.Now,
	}
	for _, o := range opts {
		o(c)
	}
	s, err := New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.srv = s
	f.http = httptest.NewServer(s)
	t.Cleanup(f.http.Close)
	return f
}

func (f *fixture) getStatus() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fixture) setStatus(fn func(*Status)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.status)
}

// setPassword stores testPassword as `kiosk admin passwd` would.
func (f *fixture) setPassword() {
	f.t.Helper()
	if err := SetPassword(f.srv.creds.path, testPassword); err != nil {
		f.t.Fatalf("SetPassword: %v", err)
	}
}

// client returns an HTTP client with a cookie jar that does not follow
// redirects.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path and returns the response and body.
func (f *fixture) get(c *http.Client, path string) (*http.Response, string) {
	f.t.Helper()
	resp, err := c.Get(f.http.URL + path)
	if err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// post sends a same-origin form.
func (f *fixture) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.http.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// csrfOf returns the CSRF token of a page.
func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", body)
	}
	return m[1]
}

// login logs c in with password and returns the logged-in session's CSRF token.
func (f *fixture) login(c *http.Client) string {
	f.t.Helper()
	_, body := f.get(c, "/login")
	resp, body := f.post(c, "/login", url.Values{"csrf": {csrfOf(f.t, body)}, "password": {testPassword}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		f.t.Fatalf("login: %s %q\n%s", resp.Status, resp.Header.Get("Location"), body)
	}
	resp, body = f.get(c, "/allowlist")
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("after login GET /allowlist: %s", resp.Status)
	}
	return csrfOf(f.t, body)
}

// addSession records a finished session.
func (f *fixture) addSession(start time.Time, d time.Duration, reason usage.EndReason, sites ...string) {
	f.t.Helper()
	err := f.store.SessionEnded(usage.Session{Start: start, End: start.Add(d), Active: d, Reason: reason, Sites: sites, Lang: "fr"})
	if err != nil {
		f.t.Fatalf("SessionEnded: %v", err)
	}
}
