package admin

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// adminRoutes are every route behind the login.
var adminRoutes = []struct{ method, path string }{
	{"GET", "/"},
	{"GET", "/?p=week"},
	{"GET", "/blocked"},
	{"GET", "/allowlist"},
	{"GET", "/export.csv"},
	{"GET", "/report"},
	{"GET", "/password"},
	{"HEAD", "/"},
	{"POST", "/password"},
	{"POST", "/logout"},
	{"GET", "/live"},
	{"POST", "/live/end"},
	{"POST", "/live/extend"},
	{"POST", "/live/message"},
	{"POST", "/live/help"},
	{"GET", "/agents"},
	{"POST", "/agents/add"},
	{"POST", "/agents/remove"},
	{"POST", "/agents/pin"},
	{"POST", "/agents/password"},
	{"GET", "/audit"},
	{"GET", "/audit.csv"},
}

func TestServer_AnonymousRefused(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	f.addSession(f.clock.Now().Add(-time.Hour), 7*time.Minute, "user", "CAF")
	cookies := []struct {
		name   string
		cookie *http.Cookie
	}{
		{"no cookie", nil},
		{"forged cookie", &http.Cookie{Name: "kiosk_session", Value: randomToken()}},
		{"empty cookie", &http.Cookie{Name: "kiosk_session", Value: ""}},
	}
	for _, rt := range adminRoutes {
		for _, ck := range cookies {
			t.Run(rt.method+" "+rt.path+" "+ck.name, func(t *testing.T) {
				req, _ := http.NewRequest(rt.method, f.http.URL+rt.path, strings.NewReader("csrf=x"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if ck.cookie != nil {
					req.AddCookie(ck.cookie)
				}
				resp, err := f.client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b := make([]byte, 4096)
				n, _ := resp.Body.Read(b)
				body := string(b[:n])
				switch rt.method {
				case "POST":
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("status = %s, want 403", resp.Status)
					}
				default:
					loc := resp.Header.Get("Location")
					if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
						t.Errorf("status = %s Location %q, want 303 to /login", resp.Status, loc)
					}
				}
				if strings.Contains(body, "sessions terminées") || strings.Contains(body, "Date;") {
					t.Errorf("anonymous response leaks data: %q", body)
				}
			})
		}
	}
}

func TestServer_AnonymousNoPasswordGoesToSetup(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get(f.client(), "/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
		t.Fatalf("GET / = %s %q, want 303 /setup", resp.Status, resp.Header.Get("Location"))
	}
}

func TestServer_StatsJSONNeedsToken(t *testing.T) {
	f := newFixture(t)
	tok := "0123456789abcdef0123456789abcdef"
	if err := os.WriteFile(f.srv.token.path, []byte(tok+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	testCases := []struct {
		name, auth string
		want       int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong", "Bearer 0123456789abcdef0123456789abcdeX", http.StatusUnauthorized},
		{"basic", "Basic " + tok, http.StatusUnauthorized},
		{"prefix", "Bearer " + tok[:10], http.StatusUnauthorized},
		{"right", "Bearer " + tok, http.StatusOK},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.http.URL+"/stats.json?from=2026-11-01&to=2026-11-25", nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	// A new boot writes a new token: the old one stops working.
	if err := os.Remove(f.srv.token.path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.srv.token.path, []byte("ffffffffffffffffffffffffffffffff"), 0o640); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", f.http.URL+"/stats.json", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old token after rotation: status = %d, want 401", resp.StatusCode)
	}
}

func TestServer_CSRF(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	tok := f.login(c)
	testCases := []struct {
		name    string
		form    url.Values
		headers map[string]string
	}{
		{"missing token", url.Values{}, nil},
		{"empty token", url.Values{"csrf": {""}}, nil},
		{"wrong token", url.Values{"csrf": {randomToken()}}, nil},
		{"token of other length", url.Values{"csrf": {tok[:20]}}, nil},
		{"cross-site fetch", url.Values{"csrf": {tok}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign origin", url.Values{"csrf": {tok}}, map[string]string{"Sec-Fetch-Site": "", "Origin": "http://evil.example"}},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", f.http.URL+"/logout", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			for k, v := range tc.headers {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status = %s, want 403", resp.Status)
			}
		})
	}
	// Still logged in, then the right token logs out.
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after refused POSTs GET / = %s, want 200", resp.Status)
	}
	resp, _ := f.post(c, "/logout", url.Values{"csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout with token = %s, want 303", resp.Status)
	}
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout GET / = %s, want 303 to login", resp.Status)
	}
}

func TestServer_LoginFormNeedsToken(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	f.get(c, "/login") // sets the form cookie
	resp, _ := f.post(c, "/login", url.Values{"password": {testPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without form token = %s, want 403", resp.Status)
	}
	resp, _ = f.post(c, "/login", url.Values{"password": {testPassword}, "csrf": {randomToken()}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with wrong form token = %s, want 403", resp.Status)
	}
}

func TestServer_CookieFlags(t *testing.T) {
	testCases := []struct {
		name       string
		tls        bool
		wantName   string
		wantSecure bool
	}{
		{"plain", false, "kiosk_session", false},
		{"tls", true, "__Host-kiosk_session", true},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.TLS = tc.tls })
			f.setPassword()
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "http://127.0.0.1:8080/login", nil)
			f.srv.ServeHTTP(w, r)
			formCookie := w.Result().Cookies()[0]
			tok := csrfOf(t, w.Body.String())
			form := url.Values{"csrf": {tok}, "password": {testPassword}}
			r = httptest.NewRequest("POST", "http://127.0.0.1:8080/login", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(formCookie)
			w = httptest.NewRecorder()
			f.srv.ServeHTTP(w, r)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("login = %d, want 303: %s", w.Code, w.Body)
			}
			var sc *http.Cookie
			for _, c := range w.Result().Cookies() {
				if c.Name == tc.wantName {
					sc = c
				}
			}
			if sc == nil {
				t.Fatalf("no %s cookie in %v", tc.wantName, w.Result().Header["Set-Cookie"])
			}
			if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure != tc.wantSecure || sc.Path != "/" {
				t.Errorf("cookie = %+v, want HttpOnly, SameSite=Strict, Secure=%v, Path=/", sc, tc.wantSecure)
			}
			if len(sc.Value) < 40 {
				t.Errorf("session id %q too short", sc.Value)
			}
		})
	}
}

func TestServer_SecurityHeaders(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	for _, p := range []string{"/login", "/healthz", "/static/admin.css"} {
		resp, _ := f.get(f.client(), p)
		h := resp.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v, want CSP default-src 'self', X-Frame-Options DENY, nosniff", p, h)
		}
	}
	resp, _ := f.get(f.client(), "/login")
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("/login Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
}

func TestServer_SessionExpires(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	f.login(c)
	f.clock.Add(sessionIdle - time.Minute)
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("within idle time GET / = %s, want 200", resp.Status)
	}
	f.clock.Add(sessionIdle + time.Second)
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after idle time GET / = %s, want 303", resp.Status)
	}
}

func TestServer_NewPasswordEndsSessions(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	f.login(c)
	// `kiosk admin passwd` run while the service is up.
	if err := SetPassword(f.srv.creds.path, "another long password"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after password change GET / = %s, want 303 to login", resp.Status)
	}
	c2 := f.client()
	_, body := f.get(c2, "/login")
	resp, _ := f.post(c2, "/login", url.Values{"csrf": {csrfOf(t, body)}, "password": {"another long password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with the new password = %s, want 303", resp.Status)
	}
}

func TestSafeNext(t *testing.T) {
	long := "/blocked?days=" + strings.Repeat("7", maxNextLen)
	testCases := []struct{ name, in, want string }{
		// The admin pages, with their own query strings.
		{"dashboard", "/", "/"},
		{"period", "/?p=week", "/?p=week"},
		{"range", "/?from=2026-11-01&to=2026-11-30", "/?from=2026-11-01&to=2026-11-30"},
		{"blocked days", "/blocked?days=7", "/blocked?days=7"},
		{"report months", "/report?from=2026-10&to=2026-11", "/report?from=2026-10&to=2026-11"},
		{"csv", "/export.csv?from=2026-11-01&to=2026-11-02", "/export.csv?from=2026-11-01&to=2026-11-02"},
		{"live", "/live", "/live"},
		{"agents", "/agents", "/agents"},
		{"audit csv", "/audit.csv", "/audit.csv"},
		{"password", "/password", "/password"},
		{"allowlist", "/allowlist", "/allowlist"},

		// Hostile or unknown.
		{"empty", "", "/"},
		{"tab after slash", "/\t/evil.example/", "/"},
		{"percent tab", "/%09/evil.example/", "/"},
		{"newline", "/\n/evil.example/", "/"},
		{"vertical tab", "/\v/evil.example/", "/"},
		{"carriage return", "/\r/evil.example/", "/"},
		{"percent newline", "/%0a/evil.example/", "/"},
		{"percent CR", "/%0d/evil.example/", "/"},
		{"header injection", "/x\r\nSet-Cookie: a=b", "/"},
		{"CRLF in query", "/blocked?days=7\r\nSet-Cookie:%20a=b", "/"},
		{"percent CRLF in query", "/blocked?days=7%0d%0aSet-Cookie:a=b", "/"},
		{"scheme-relative", "//evil.example/", "/"},
		{"triple slash", "///evil.example/", "/"},
		{"slash backslash", "/\\evil.example", "/"},
		{"backslash slash", "/\\/evil.example", "/"},
		{"backslash", "\\evil.example", "/"},
		{"percent backslash", "/%5Cevil.example", "/"},
		{"percent slash", "/%2F/evil.example", "/"},
		{"percent encoded page", "/%62locked", "/"},
		{"http", "http://evil.example/", "/"},
		{"https", "https://evil.example/", "/"},
		{"scheme without slashes", "http:evil.example", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"javascript after slash", "/javascript:alert(1)", "/"},
		{"data", "data:text/html,<script>alert(1)</script>", "/"},
		{"userinfo", "/@evil.example", "/"},
		{"fullwidth slash", "/\uff0fevil.example", "/"},
		{"fraction slash", "/\u2044evil.example", "/"},
		{"division slash", "\u2215\u2215evil.example", "/"},
		{"big solidus", "/\u29f8evil.example", "/"},
		{"NUL", "/blocked\x00", "/"},
		{"DEL", "/blocked\x7f", "/"},
		{"space", "/ /evil.example", "/"},
		{"relative", "blocked", "/"},
		{"dot segments", "/../blocked", "/"},
		{"dot", "/./blocked", "/"},
		{"trailing slash", "/blocked/", "/"},
		{"unknown page", "/nowhere", "/"},
		{"login loop", "/login", "/"},
		{"setup", "/setup", "/"},
		{"static", "/static/admin.js", "/"},
		{"metrics", "/metrics", "/"},
		{"api", "/api/state", "/"},
		{"fragment", "/blocked#x", "/"},
		{"empty query mark", "/blocked?", "/blocked"},
		{"query with slash", "/?next=//evil.example", "/"},
		{"query with colon", "/?u=http:x", "/"},
		{"query percent", "/?p=%77eek", "/"},
		{"upper-case page", "/Blocked", "/"},
		{"very long", long, "/"},
		{"very long slashes", strings.Repeat("/", 100000), "/"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.in); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestServer_LoginNextRedirect logs in through the real handler with a
// hostile next= and checks the Location header, as a browser would follow it.
func TestServer_LoginNextRedirect(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	base, _ := url.Parse(f.http.URL + "/login")
	testCases := []struct{ next, want string }{
		{"/%09/evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"/blocked?days=7", "/blocked?days=7"},
	}
	for _, tc := range testCases {
		// The login form carries next= from the query string to the POST.
		c := f.client()
		resp, body := f.get(c, "/login?next="+url.QueryEscape(tc.next))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /login = %s", resp.Status)
		}
		formNext := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(body)
		if formNext == nil || html.UnescapeString(formNext[1]) != tc.want {
			t.Errorf("next=%q: login form carries %q, want %q", tc.next, formNext, tc.want)
		}
		// A POST straight to /login, bypassing the form.
		resp, _ = f.post(c, "/login", url.Values{"csrf": {csrfOf(t, body)}, "password": {testPassword}, "next": {tc.next}})
		loc := resp.Header.Get("Location")
		target, err := base.Parse(loc)
		if resp.StatusCode != http.StatusSeeOther || err != nil || loc != tc.want || target.Host != base.Host {
			t.Errorf("login with next=%q: %s Location %q (resolves to %v), want 303 to %q", tc.next, resp.Status, loc, target, tc.want)
		}
	}
}

func TestLoginPages_AreRoutes(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	listed := map[string]bool{}
	for _, rt := range adminRoutes {
		if rt.method == "GET" {
			path, _, _ := strings.Cut(rt.path, "?")
			listed[path] = true
		}
	}
	for p := range loginPages {
		if !listed[p] {
			t.Errorf("loginPages has %q, which adminRoutes does not list", p)
		}
		// Each one is a page behind the login, sent back to after it.
		resp, _ := f.get(f.client(), p)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape(p) {
			t.Errorf("anonymous GET %s = %s Location %q, want 303 to the login", p, resp.Status, loc)
		}
	}
	for p := range listed {
		if !loginPages[p] {
			t.Errorf("GET %s is behind the login but not in loginPages", p)
		}
	}
}
