//go:build e2e

package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testnet"
)

// TestServe_ProxyMaxConns holds more proxy connections than
// --proxy-max-conns: the admin listener still answers /healthz and shows
// the cap on /metrics, the service logs it, and while the held
// connections stay open (kept alive, waiting for a request) the
// connection over the cap and a new request are served: the cap closes
// the connection that has waited longest for a request.
func TestServe_ProxyMaxConns(t *testing.T) {
	const maxConns = 4
	ns := testnet.New(t, "www.caf.fr")
	startOrigin(t, ns)
	al := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs := startServe(t, ns, al, "--proxy-max-conns", "4")

	const get = "GET http://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n"
	dial := func() (net.Conn, *bufio.Reader) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := ns.DialContext(ctx, "tcp", "127.0.0.1:3128")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(60 * time.Second))
		if _, err := io.WriteString(c, get); err != nil {
			t.Fatal(err)
		}
		return c, bufio.NewReader(c)
	}
	// Kept-alive connections, each answered once, fill the cap.
	var held []net.Conn
	for i := 0; i < maxConns; i++ {
		c, br := dial()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("held connection %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("held connection %d: status %d", i, resp.StatusCode)
		}
		held = append(held, c)
	}
	over, overBR := dial()
	if !logs.waitFor("proxy connection cap reached", 10*time.Second) {
		t.Fatalf("the cap was not logged:\n%s", logs.String())
	}

	admin := &http.Client{Transport: &http.Transport{DialContext: ns.DialContext}, Timeout: 10 * time.Second}
	adminGet := func(path string) string {
		resp, err := admin.Get("http://127.0.0.1:8080" + path)
		if err != nil {
			t.Fatalf("GET %s with the proxy at its cap: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s with the proxy at its cap: %d %q", path, resp.StatusCode, b)
		}
		return string(b)
	}
	adminGet("/healthz")
	metrics := adminGet("/metrics")
	for _, want := range []string{"kiosk_proxy_client_connections 4", "kiosk_proxy_connection_cap_reached_total "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// Served while the held connections are open, well before they time
	// out (the proxy keeps an idle connection for 2 minutes).
	_ = over.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(overBR, nil)
	if err != nil {
		t.Fatalf("the connection over the cap, held connections open: %v", err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("the connection over the cap: status %d, want 200", resp.StatusCode)
	}
	if code, _ := curl(t, ns, "http://www.caf.fr/"); code != "200" {
		t.Errorf("a new request with the held connections open: %s, want 200", code)
	}
	if m := adminGet("/metrics"); !strings.Contains(m, "kiosk_proxy_idle_connections_closed_total ") ||
		strings.Contains(m, "kiosk_proxy_idle_connections_closed_total 0\n") {
		t.Errorf("/metrics does not count the idle connections the cap closed")
	}
}
