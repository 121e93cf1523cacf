package admin

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// localRequest is a request to the admin listener as 127.0.0.1:8080 from
// remoteAddr, for handler tests without a listener.
func localRequest(method, path string, body io.Reader, remoteAddr string) *http.Request {
	r := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, body)
	r.RemoteAddr = remoteAddr
	return r
}

// rawRequest sends req on a new connection to addr and returns the
// response, so that the Host header is exactly the one written.
func rawRequest(t *testing.T, addr, req string) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading response to %q: %v", req, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestServer_DNSRebinding: a page whose name was rebound to 127.0.0.1 is
// same-origin with the admin listener, so its requests carry a matching
// Origin; they name the page's host, and are refused before any handler:
// it cannot read the setup form's token, create a password, log in or read
// /metrics. The names the listener is really reached by still work.
func TestServer_DNSRebinding(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.API = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	})
	_, port, _ := net.SplitHostPort(f.http.Listener.Addr().String())
	evil := "rebind.example:" + port
	send := func(host, method, path string, form url.Values) (*http.Response, string) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, f.http.URL+path, body)
		req.Host = host
		req.Header.Set("Origin", "http://"+host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := f.client().Do(req)
		if err != nil {
			t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	setupForm := url.Values{"csrf": {strings.Repeat("a", 43)}, "password": {testPassword}, "confirm": {testPassword}}
	refused := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/setup", nil},
		{"POST", "/setup", setupForm},
		{"GET", "/login", nil},
		{"POST", "/login", url.Values{"csrf": {"x"}, "password": {testPassword}}},
		{"GET", "/metrics", nil},
		{"GET", "/healthz", nil},
		{"GET", "/static/admin.css", nil},
		{"GET", "/api/state", nil},
	}
	for _, host := range []string{evil, "rebind.example", "REBIND.example.:" + port, "localhost.rebind.example:" + port,
		"127.0.0.1.nip.io:" + port, "0.0.0.0:" + port, "[::]:" + port, "127.1:" + port, "2130706433:" + port} {
		for _, rt := range refused {
			resp, body := send(host, rt.method, rt.path, rt.form)
			if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(body, "Misdirected request") {
				t.Errorf("%s %s with Host %s = %s, want 421:\n%s", rt.method, rt.path, host, resp.Status, body)
			}
			if strings.Contains(body, `name="csrf"`) || strings.Contains(body, "go_") {
				t.Errorf("%s %s with Host %s leaked a page:\n%s", rt.method, rt.path, host, body)
			}
		}
	}
	if ok, err := f.srv.hasLogin(); err != nil || ok {
		t.Fatalf("after the rebinding requests an account can log in (%v, %v), want none", ok, err)
	}

	// The real names: the setup form, then the password and a login.
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "LocalHost.:" + port,
		"127.0.0.1", "localhost"} {
		resp, body := send(host, "GET", "/setup", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="csrf"`) {
			t.Errorf("GET /setup with Host %s = %s, want the setup form", host, resp.Status)
		}
		if resp, body := send(host, "GET", "/api/state", nil); resp.StatusCode != http.StatusOK || body != "api" {
			t.Errorf("GET /api/state with Host %s = %s %q, want the API", host, resp.Status, body)
		}
		if resp, _ := send(host, "GET", "/metrics", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /metrics with Host %s = %s, want 200", host, resp.Status)
		}
	}
	c := f.client()
	_, body := f.get(c, "/setup")
	resp, _ := f.post(c, "/setup", url.Values{"csrf": {csrfOf(t, body)}, "password": {testPassword}, "confirm": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /setup as 127.0.0.1 = %s, want 303", resp.Status)
	}
	f.login(c)
}

// TestServer_HostMissing: an HTTP/1.0 request without Host is refused; a
// malformed Host too (Go's server itself refuses some before the handler).
func TestServer_HostMissing(t *testing.T) {
	f := newFixture(t)
	addr := f.http.Listener.Addr().String()
	resp, body := rawRequest(t, addr, "GET /healthz HTTP/1.0\r\n\r\n")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Host") {
		t.Errorf("HTTP/1.0 without Host = %s %q, want 400", resp.Status, body)
	}
	resp, _ = rawRequest(t, addr, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
	if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusMisdirectedRequest {
		t.Errorf("HTTP/1.0 with Host 127.0.0.1 = %s, want it answered", resp.Status)
	}
	// An absolute-form target names the host, whatever the Host header says.
	resp, _ = rawRequest(t, addr, "GET http://rebind.example/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("absolute-form rebind.example target = %s, want 421", resp.Status)
	}
	for _, host := range []string{"127.0.0.1:", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:+80", "localhost:08080", "::1", "[::1", "[127.0.0.1]:80", "[fe80::1%25lo]:80"} {
		resp, _ := rawRequest(t, addr, "GET /healthz HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
		if resp.StatusCode != http.StatusMisdirectedRequest && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("Host %q = %s, want 421 or 400", host, resp.Status)
		}
	}
}

func TestHostPolicy_Allows(t *testing.T) {
	p, err := newHostPolicy([]string{"Kiosk-01.Mairie.example.", "192.0.2.10", "[2001:db8::10]", "*.borne.example"})
	if err != nil {
		t.Fatal(err)
	}
	local := &net.TCPAddr{IP: net.ParseIP("198.51.100.4"), Port: 8443}
	testCases := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1", true},
		{"localhost:8080", true},
		{"LOCALHOST:8080", true},
		{"localhost.:8080", true},
		{"[::1]:8080", true},
		{"[::1]", true},
		{"[::ffff:127.0.0.1]:8080", true},
		{"localhost:2222", true}, // an SSH tunnel's port
		{"kiosk-01.mairie.example:8443", true},
		{"KIOSK-01.mairie.example.", true},
		{"192.0.2.10:8443", true},
		{"[2001:db8::10]:8443", true},
		{"198.51.100.4:8443", true}, // the address the connection arrived on
		{"a.borne.example", true},
		{"A.Borne.Example.:443", true},

		{"", false},
		{"rebind.example", false},
		{"rebind.example:8080", false},
		{"localhost..:8080", false},
		{"localhost.rebind.example", false},
		{"mairie.example", false},
		{"x.kiosk-01.mairie.example", false},
		{"borne.example", false},
		{"a.b.borne.example", false},
		{"127.0.0.2:8080", false},
		{"127.1:8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"198.51.100.5:8443", false},
		{"::1", false},
		{"[::1]x", false},
		{"[::1]:", false},
		{"localhost:", false},
		{"localhost:0", false},
		{"localhost:65536", false},
		{"localhost:8080:80", false},
		{"localhost:-1", false},
		{"[127.0.0.1]:80", false},
		{"[fe80::1%lo]:80", false},
		{":8080", false},
	}
	for _, tc := range testCases {
		if got := p.allows(tc.host, local); got != tc.want {
			t.Errorf("allows(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
	if p.allows("198.51.100.4", nil) {
		t.Error("allows(198.51.100.4) without a connection address = true, want false")
	}
}

func TestNewHostPolicy_Refuses(t *testing.T) {
	for _, h := range []string{"", "bad name", "a..b", "http://x.example", "x.example/", "[x.example]",
		"fe80::1%eth0", "école.example", "*", "*.", "x.*.example", strings.Repeat("a", 64) + ".example"} {
		if _, err := newHostPolicy([]string{h}); err == nil {
			t.Errorf("newHostPolicy(%q) accepted it, want an error", h)
		}
	}
	f := newFixture(t)
	_, err := New(&Config{Store: f.store, Credentials: f.srv.creds.path, Hosts: []string{"kiosk.example", "bad name"}})
	if err == nil || !strings.Contains(err.Error(), "bad name") {
		t.Errorf("New with a bad Config.Hosts entry = %v, want an error naming it", err)
	}
}

func TestHostNames(t *testing.T) {
	if got := HostNames("127.0.0.1:8080", nil); !slices.Equal(got, []string{"127.0.0.1"}) {
		t.Errorf("HostNames(loopback) = %q", got)
	}
	if got := HostNames(":8443", nil); len(got) != 0 {
		t.Errorf("HostNames(:8443) = %q, want none", got)
	}
	if got := HostNames("0.0.0.0:8443", nil); len(got) != 0 {
		t.Errorf("HostNames(0.0.0.0:8443) = %q, want none", got)
	}
	dir := t.TempDir()
	conf, _, err := TLSConfig("kiosk-07.mairie.example:8443", "", "", dir)
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	got := HostNames("kiosk-07.mairie.example:8443", conf)
	for _, want := range []string{"kiosk-07.mairie.example", "localhost"} {
		if !slices.Contains(got, want) {
			t.Errorf("HostNames = %q, want %q among them", got, want)
		}
	}
	if _, err := newHostPolicy(got); err != nil {
		t.Errorf("HostNames gave a name Config.Hosts refuses: %v", err)
	}
	if got := HostNames(":8443", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{[]byte("junk")}}}}); len(got) != 0 {
		t.Errorf("HostNames with a junk certificate = %q, want none", got)
	}
}

// TestServer_HostsOverTLS: on a TLS listener the certificate's name and
// Config.Hosts are answered, a rebound name is not.
func TestServer_HostsOverTLS(t *testing.T) {
	dir := t.TempDir()
	conf, _, err := TLSConfig("kiosk-07.mairie.example:8443", "", "", dir)
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	f := newFixture(t, func(c *Config) {
		c.TLS = true
		c.Hosts = append(HostNames("kiosk-07.mairie.example:8443", conf), "borne.local")
	})
	srv := httptest.NewUnstartedServer(f.srv)
	srv.TLS = conf
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for host, want := range map[string]int{
		"kiosk-07.mairie.example:8443": http.StatusOK,
		"borne.local":                  http.StatusOK,
		"localhost:8443":               http.StatusOK,
		"rebind.example:8443":          http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
		req.Host = host
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET /healthz (Host %s): %v", host, err)
		}
		resp.Body.Close()
		// /healthz is 503 here (no allowlist loaded): anything but 421 is served.
		served := resp.StatusCode != http.StatusMisdirectedRequest
		if served != (want == http.StatusOK) {
			t.Errorf("Host %s over TLS = %s, want served=%v", host, resp.Status, want == http.StatusOK)
		}
	}
}
