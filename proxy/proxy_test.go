package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/proxy"
)

func TestProxy_AllowedGET(t *testing.T) {
	e := newEnv(t, nil)
	status, body, _ := e.get(t, "http://WWW.Caf.FR./path?q=1", map[string]string{"Accept-Encoding": "br, zstd"})
	if status != http.StatusOK || body != "hello from www.caf.fr /path" {
		t.Fatalf("GET = %d %q, want 200 hello", status, body)
	}
	reqs := e.origin.requests()
	if len(reqs) != 1 {
		t.Fatalf("origin saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Host != "www.caf.fr" || r.Path != "/path?q=1" {
		t.Errorf("origin saw Host %q path %q, want www.caf.fr /path?q=1", r.Host, r.Path)
	}
	if r.AcceptEncoding != "br, zstd" {
		t.Errorf("origin saw Accept-Encoding %q, want it untouched", r.AcceptEncoding)
	}
	if _, allowed := e.rec.snapshot(); !slices.Equal(allowed, []string{"CAF"}) {
		t.Errorf("Recorder.Allowed calls = %q, want [CAF]", allowed)
	}
	if got := e.net.dials(); !slices.Equal(got, []string{publicAddr + ":80"}) {
		t.Errorf("dialled %q, want [%s:80]", got, publicAddr)
	}
}

func TestProxy_BodiesUntouched(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	defer c.CloseIdleConnections()

	// No Accept-Encoding from the client: none is added upstream, and a
	// compressed answer comes back byte for byte.
	req, _ := http.NewRequest(http.MethodGet, "http://www.caf.fr/gzip", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, gzipBody) || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip body = %x (Content-Encoding %q), want the origin's bytes untouched", got, resp.Header.Get("Content-Encoding"))
	}
	if r := e.origin.requests()[0]; r.HasAcceptEncoding {
		t.Errorf("origin saw Accept-Encoding %q, want none added", r.AcceptEncoding)
	}

	// A request body reaches the origin unchanged.
	payload := strings.Repeat("données=é&", 5000)
	resp, err = c.Post("http://www.caf.fr/form", "application/x-www-form-urlencoded", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := e.origin.requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodPost || last.Body != payload {
		t.Errorf("origin saw %s with %d body bytes, want POST with the %d bytes sent", last.Method, len(last.Body), len(payload))
	}
}

func TestProxy_Denied(t *testing.T) {
	e := newEnv(t, nil)
	testCases := []struct {
		name, url, host string
	}{
		{"not listed", "http://www.example.com/", "www.example.com"},
		{"suffix without label boundary", "http://evilcaf.fr/", "evilcaf.fr"},
		{"allowed name as a label of another", "http://caf.fr.evil.example/", "caf.fr.evil.example"},
		{"exact pattern, subdomain", "http://x.www.impots.gouv.fr/", "x.www.impots.gouv.fr"},
		{"exact pattern, parent", "http://impots.gouv.fr/", "impots.gouv.fr"},
		{"supervised without session", "http://laposte.net/", "laposte.net"},
		{"allowed host, unlisted port", "http://www.caf.fr:8080/", "www.caf.fr"},
		{"port pattern, default port", "http://ports.example.org/", "ports.example.org"},
		{"kiosk host on another port", "http://kiosk.invalid:8080/", "kiosk.invalid"},
		{"IPv4 dotted", "http://127.0.0.1/", "127.0.0.1"},
		{"IPv4 integer", "http://2130706433/", "127.0.0.1"},
		{"IPv4 hex", "http://0x7f.1/", "127.0.0.1"},
		{"IPv4 octal", "http://0177.0.0.1/", "127.0.0.1"},
		{"IPv4 short", "http://127.1/", "127.0.0.1"},
		{"IPv4 trailing dot", "http://203.0.113.10./", "203.0.113.10"},
		{"IPv6 loopback", "http://[::1]/", "::1"},
		{"IPv4-mapped IPv6", "http://[::ffff:127.0.0.1]/", "127.0.0.1"},
		{"IPv4-mapped IPv6 hex", "http://[::ffff:7f00:1]/", "127.0.0.1"},
		{"public literal not named", "http://203.0.113.51/", "203.0.113.51"},
		{"named private literal", "http://10.1.2.3/", "10.1.2.3"},
		{"named loopback literal", "http://127.0.0.1/", "127.0.0.1"},
		{"named literal on another port", "http://203.0.113.50:8080/", "203.0.113.50"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.origin.requests())
			status, body, hdr := e.get(t, tc.url, map[string]string{"Referer": "https://www.caf.fr/some/page?secret=1"})
			if status != http.StatusForbidden {
				t.Fatalf("GET %s = %d, want 403", tc.url, status)
			}
			if !strings.Contains(body, tc.host) || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
				t.Errorf("body %q (%s), want a short text naming %s", body, hdr.Get("Content-Type"), tc.host)
			}
			if n := len(e.origin.requests()); n != before {
				t.Errorf("origin saw %d new requests, want none", n-before)
			}
			blocked, _ := e.rec.snapshot()
			if last := blocked[len(blocked)-1]; last != [2]string{tc.host, "www.caf.fr"} {
				t.Errorf("Recorder.Blocked(%q, %q), want (%q, \"www.caf.fr\")", last[0], last[1], tc.host)
			}
		})
	}
	if d := e.net.dials(); len(d) != 0 {
		t.Errorf("denied requests dialled %q, want nothing", d)
	}
}

func TestProxy_Allowed(t *testing.T) {
	e := newEnv(t, nil)
	testCases := []struct{ name, url string }{
		{"subdomain", "http://api.caf.fr/"},
		{"domain itself", "http://caf.fr/"},
		{"exact pattern", "http://www.impots.gouv.fr/"},
		{"explicit default port", "http://www.caf.fr:80/"},
		{"port named by a pattern", "http://ports.example.org:8080/"},
		{"named public IPv4 literal", "http://203.0.113.50/"},
		{"named public IPv6 literal", "http://[2001:db8::50]/"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if status, body, _ := e.get(t, tc.url, nil); status != http.StatusOK {
				t.Fatalf("GET %s = %d %q, want 200", tc.url, status, body)
			}
		})
	}
}

func TestProxy_BlockedPage(t *testing.T) {
	e := newEnv(t, nil)
	status, body, hdr := e.get(t, "http://www.example.com/login", map[string]string{
		"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document"})
	if status != http.StatusForbidden || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("page request = %d %s, want 403 text/html", status, hdr.Get("Content-Type"))
	}
	for _, want := range []string{`lang="fr"`, "www.example.com", "Retour", "Demander à un agent", `lang="en"`} {
		if !strings.Contains(body, want) {
			t.Errorf("blocked page lacks %q", want)
		}
	}
	if strings.Contains(body, "/login") {
		t.Error("blocked page repeats the path")
	}

	// A custom BlockedPage replaces the built-in one.
	e2 := newEnv(t, func(c *proxy.Config) {
		c.BlockedPage = func(w http.ResponseWriter, _ *http.Request, host string) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "custom "+host)
		}
	})
	if status, body, _ := e2.get(t, "http://www.example.com/", map[string]string{"Accept": "text/html"}); status != 403 || body != "custom www.example.com" {
		t.Errorf("custom page = %d %q, want 403 \"custom www.example.com\"", status, body)
	}
}

func TestProxy_Policy(t *testing.T) {
	e := newEnv(t, nil)
	if status, _, _ := e.get(t, "http://laposte.net/", nil); status != http.StatusForbidden {
		t.Fatalf("supervised site outside a supervised session = %d, want 403", status)
	}
	e.pol.mu.Lock()
	e.pol.supervised = true
	e.pol.mu.Unlock()
	if status, _, _ := e.get(t, "http://laposte.net/", nil); status != http.StatusOK {
		t.Fatalf("supervised site in a supervised session = %d, want 200", status)
	}
	if status, _, _ := e.get(t, "http://www.example.com/", nil); status != http.StatusForbidden {
		t.Fatalf("unlisted site = %d, want 403", status)
	}
	e.pol.mu.Lock()
	e.pol.overrides["www.example.com"] = true
	e.pol.mu.Unlock()
	if status, _, _ := e.get(t, "http://www.example.com/", nil); status != http.StatusOK {
		t.Fatalf("overridden site = %d, want 200", status)
	}
	if status, _, _ := e.get(t, "http://sub.www.example.com/", nil); status != http.StatusForbidden {
		t.Fatalf("subdomain of an overridden site = %d, want 403", status)
	}
}

func TestProxy_AllowlistReload(t *testing.T) {
	var list *allowlist.List // nil: deny everything
	e := newEnv(t, func(c *proxy.Config) { c.Allowlist = func() *allowlist.List { return list } })
	if status, _, _ := e.get(t, "http://www.caf.fr/", nil); status != http.StatusForbidden {
		t.Fatalf("nil list = %d, want 403", status)
	}
	list = loadList(t)
	if status, _, _ := e.get(t, "http://www.caf.fr/", nil); status != http.StatusOK {
		t.Fatalf("after reload = %d, want 200", status)
	}
}

func TestProxy_Internal(t *testing.T) {
	e := newEnv(t, func(c *proxy.Config) {
		c.Internal = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "internal "+r.Host+" "+r.URL.Path)
		})
	})
	if status, body, _ := e.get(t, "http://kiosk.invalid/accueil", nil); status != 200 || body != "internal kiosk.invalid /accueil" {
		t.Fatalf("internal page = %d %q", status, body)
	}
	if rs := e.raw(t, "CONNECT kiosk.invalid:443 HTTP/1.1\r\nHost: kiosk.invalid:443\r\n\r\n", 1); statusOf(rs) != 403 {
		t.Fatalf("CONNECT kiosk.invalid:443 = %d, want 403", statusOf(rs))
	}
	if rs := e.raw(t, "CONNECT kiosk.invalid:80 HTTP/1.1\r\nHost: kiosk.invalid:80\r\n\r\n", 1); statusOf(rs) != 403 {
		t.Fatalf("CONNECT kiosk.invalid:80 = %d, want 403", statusOf(rs))
	}
	e2 := newEnv(t, nil)
	if status, _, _ := e2.get(t, "http://kiosk.invalid/", nil); status != http.StatusNotFound {
		t.Fatalf("internal page without handler = %d, want 404", status)
	}
}

func TestProxy_NoRedirectFollowing(t *testing.T) {
	e := newEnv(t, nil)
	status, _, hdr := e.get(t, "http://www.caf.fr/redirect", nil)
	if status != http.StatusFound || hdr.Get("Location") != "http://www.example.com/elsewhere" {
		t.Fatalf("redirect = %d Location %q, want the 302 itself", status, hdr.Get("Location"))
	}
	if n := len(e.origin.requests()); n != 1 {
		t.Fatalf("origin saw %d requests, want 1 (no redirect followed)", n)
	}
}

func TestNew(t *testing.T) {
	if _, err := proxy.New(nil); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
	if _, err := proxy.New(&proxy.Config{}); err == nil {
		t.Error("New without Allowlist succeeded, want an error")
	}
}

// TestProxy_IgnoresEnvironmentProxy sets HTTP(S)_PROXY to a dead address:
// goproxy's default transport would use it; the kiosk proxy must not.
func TestProxy_IgnoresEnvironmentProxy(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "http://127.0.0.1:1")
	}
	e := newEnv(t, nil)
	if status, body, _ := e.get(t, "http://www.caf.fr/", nil); status != 200 {
		t.Fatalf("plain GET with HTTP_PROXY set = %d %q, want 200", status, body)
	}
	c := e.client()
	defer c.CloseIdleConnections()
	resp, err := c.Get("https://www.caf.fr/")
	if err != nil {
		t.Fatalf("CONNECT with HTTPS_PROXY set: %v", err)
	}
	resp.Body.Close()
}

func TestProxy_RecorderFrom(t *testing.T) {
	e := newEnv(t, nil)
	testCases := []struct {
		name string
		hdr  map[string]string
		from string
	}{
		{"Referer with path and query", map[string]string{"Referer": "https://www.caf.fr:443/compte?id=123#x"}, "www.caf.fr"},
		{"Origin when no Referer", map[string]string{"Origin": "https://api.caf.fr"}, "api.caf.fr"},
		{"Referer wins over Origin", map[string]string{"Referer": "http://caf.fr/", "Origin": "https://api.caf.fr"}, "caf.fr"},
		{"opaque Origin", map[string]string{"Origin": "null"}, ""},
		{"nothing", nil, ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			e.get(t, "http://tracker.example/pixel.gif", tc.hdr)
			blocked, _ := e.rec.snapshot()
			if got := blocked[len(blocked)-1]; got != [2]string{"tracker.example", tc.from} {
				t.Fatalf("Blocked(%q, %q), want (tracker.example, %q)", got[0], got[1], tc.from)
			}
		})
	}
}

func TestProxy_BlockedPageHEAD(t *testing.T) {
	e := newEnv(t, nil)
	rs := e.raw(t, "HEAD http://www.example.com/ HTTP/1.1\r\nHost: www.example.com\r\nAccept: text/html\r\nConnection: close\r\n\r\n", 1)
	if statusOf(rs) != http.StatusForbidden || rs[0].Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("HEAD of a refused page = %d %q, want 403 text/html", statusOf(rs), rs[0].Header.Get("Content-Type"))
	}
}
