//go:build e2e

package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/testnet"
)

// TestServe_AdminHostCheck runs the real binary: on the default loopback
// listener a rebound name gets 421 on the setup page, /metrics and a POST
// while 127.0.0.1 and localhost (the shell's /api/ included) are answered;
// on a LAN address with TLS, the address, --admin-host and the
// certificate's names are answered and a rebound name is not.
func TestServe_AdminHostCheck(t *testing.T) {
	ns := testnet.New(t)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	startServe(t, ns, al)
	plain := &http.Client{
		Transport:     &http.Transport{DialContext: ns.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	do := func(c *http.Client, method, base, host, path string) (int, string) {
		t.Helper()
		var body io.Reader
		if method == "POST" {
			body = strings.NewReader(url.Values{"password": {"0123456789ab"}, "confirm": {"0123456789ab"}}.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		req.Host = host
		req.Header.Set("Origin", "http://"+host)
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, rt := range []struct{ method, path string }{{"GET", "/setup"}, {"GET", "/metrics"}, {"POST", "/setup"}, {"GET", "/api/state"}} {
		if code, body := do(plain, rt.method, "http://127.0.0.1:8080", "rebind.example:8080", rt.path); code != http.StatusMisdirectedRequest {
			t.Errorf("%s %s as rebind.example = %d, want 421:\n%s", rt.method, rt.path, code, body)
		}
	}
	for _, host := range []string{"127.0.0.1:8080", "localhost:8080", "localhost"} {
		if code, body := do(plain, "GET", "http://127.0.0.1:8080", host, "/setup"); code != http.StatusOK || !strings.Contains(body, `name="csrf"`) {
			t.Errorf("GET /setup as %s = %d, want the setup form", host, code)
		}
		if code, _ := do(plain, "GET", "http://127.0.0.1:8080", host, "/metrics"); code != http.StatusOK {
			t.Errorf("GET /metrics as %s = %d, want 200", host, code)
		}
		// The shell's API answers its own 401 (no token), not the Host check's 421.
		if code, _ := do(plain, "GET", "http://127.0.0.1:8080", host, "/api/state"); code != http.StatusUnauthorized {
			t.Errorf("GET /api/state as %s = %d, want the API's 401", host, code)
		}
	}

	// The admin page on a LAN address (HTTPS, self-signed certificate).
	lan := testnet.OriginAddr + ":8443"
	startServe(t, ns, al, "--proxy-listen", "127.0.0.1:3129", "--admin-listen", lan, "--admin-host", "borne.mairie.example")
	secure := &http.Client{Transport: &http.Transport{DialContext: ns.DialContext,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	hostname, _ := os.Hostname()
	for host, want := range map[string]bool{
		lan:                           true,
		"borne.mairie.example:8443":   true,
		"BORNE.mairie.example.":       true,
		strings.ToLower(hostname):     hostname != "",
		"localhost:8443":              true,
		"rebind.example:8443":         false,
		"x.borne.mairie.example:8443": false,
	} {
		if host == "" {
			continue
		}
		code, body := do(secure, "GET", "https://"+lan, host, "/healthz")
		if served := code != http.StatusMisdirectedRequest; served != want {
			t.Errorf("GET https://%s/healthz as %s = %d, want served=%v:\n%s", lan, host, code, want, body)
		}
	}
}
