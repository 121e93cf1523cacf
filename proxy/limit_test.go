package proxy_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/logcapture"
	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/proxy"
	"github.com/prometheus/client_golang/prometheus"
)

// gauge returns the value of the unlabelled series name in reg (counter
// or gauge), or -1 when it is missing.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.Counter != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

// waitMetric waits (polling, bounded) until name reaches want.
func waitMetric(t *testing.T, reg *prometheus.Registry, name string, want float64) {
	t.Helper()
	wait.UntilErr(t, 10*time.Second, name+" at its value", func() error {
		if got := gauge(t, reg, name); got != want {
			return fmt.Errorf("%s = %v, want %v", name, got, want)
		}
		return nil
	})
}

const getCAF = "GET http://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n"

// connectCAF opens a CONNECT tunnel: a connection busy until it closes.
const connectCAF = "CONNECT www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n"

// TestProxy_MaxConns fills the cap with busy connections (CONNECT tunnels,
// which the cap cannot close): the extra ones wait (no answer, no error)
// instead of being served, the cap is logged once and counted, and once
// the tunnels close the waiting requests and a new one are answered.
func TestProxy_MaxConns(t *testing.T) {
	const maxConns = 3
	reg := prometheus.NewRegistry()
	logs := &logcapture.Buffer{}
	e := newEnv(t, func(c *proxy.Config) {
		c.MaxConns = maxConns
		c.Registerer = reg
		c.Logger = logs.Logger()
	})
	dial := func() net.Conn {
		c, err := net.Dial("tcp", e.url.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		return c
	}
	// Fill the cap with tunnels, each answered.
	var held []net.Conn
	for i := 0; i < maxConns; i++ {
		c := dial()
		if _, err := io.WriteString(c, connectCAF); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("held connection %d: %v", i, err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("held connection %d: status %d, want 200", i, resp.StatusCode)
		}
		held = append(held, c)
	}
	waitMetric(t, reg, "kiosk_proxy_client_connections", maxConns)

	// Over the cap: the requests wait unanswered.
	var extra []net.Conn
	for i := 0; i < 2; i++ {
		c := dial()
		if _, err := io.WriteString(c, getCAF); err != nil {
			t.Fatal(err)
		}
		extra = append(extra, c)
	}
	waitMetric(t, reg, "kiosk_proxy_connection_cap_reached_total", 1)
	_ = extra[0].SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := extra[0].Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a connection over the cap was served (read %d bytes, %v), want it waiting", n, err)
	}

	// Release the held connections: the waiting ones are served.
	for _, c := range held {
		c.Close()
	}
	for i, c := range extra {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("waiting connection %d after release: %v", i, err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Errorf("waiting connection %d: status %d, want 200", i, resp.StatusCode)
		}
		c.Close()
	}
	if code, _, _ := e.get(t, "http://www.caf.fr/", nil); code != http.StatusOK {
		t.Errorf("new request after release: %d, want 200", code)
	}
	if n := strings.Count(logs.String(), "proxy connection cap reached"); n != 1 {
		t.Errorf("the cap was logged %d times, want once per burst:\n%s", n, logs.String())
	}
	if v := gauge(t, reg, "kiosk_proxy_idle_connections_closed_total"); v != 0 {
		t.Errorf("kiosk_proxy_idle_connections_closed_total = %v with only busy connections, want 0", v)
	}
}

// TestProxy_MaxConns_HeldIdle holds more connections than the cap without
// a request in progress (opened and silent, or kept alive after an
// answer), with a tunnel among them: a normal request is still answered
// at once, and stays so while the held ones are kept open, because the cap
// closes the connection that has waited longest for a request. Regression:
// the request waited until the held connections timed out (10 s for a
// silent one, 2 min for a kept-alive one).
func TestProxy_MaxConns_HeldIdle(t *testing.T) {
	const maxConns = 4
	reg := prometheus.NewRegistry()
	e := newEnv(t, func(c *proxy.Config) { c.MaxConns = maxConns; c.Registerer = reg })
	dial := func() net.Conn {
		c, err := net.Dial("tcp", e.url.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	tunnel := dial()
	if _, err := io.WriteString(tunnel, connectCAF); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.ReadResponse(bufio.NewReader(tunnel), nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("tunnel: %v %v", resp, err)
	}
	for i := 0; i < 2; i++ { // kept alive after an answer
		c := dial()
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c, getCAF); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	for i := 0; i < 3*maxConns; i++ { // opened, nothing sent
		dial()
	}
	for i := 0; i < 3; i++ {
		start := time.Now()
		code, _, _ := e.get(t, "http://www.caf.fr/", nil)
		if code != http.StatusOK {
			t.Fatalf("request %d with %d+ connections held: status %d, want 200", i, maxConns, code)
		}
		// Held connections time out after 10 s at the earliest (the
		// server's ReadHeaderTimeout); the cap closes one once it has
		// waited a second.
		if d := time.Since(start); d > 8*time.Second {
			t.Fatalf("request %d answered after %v: it waited for held connections to time out", i, d)
		}
	}
	if v := gauge(t, reg, "kiosk_proxy_idle_connections_closed_total"); v < 1 {
		t.Errorf("kiosk_proxy_idle_connections_closed_total = %v, want at least 1", v)
	}
	// The tunnel, busy, was not closed: it still relays.
	if _, err := io.WriteString(tunnel, "x"); err != nil {
		t.Errorf("the busy tunnel was closed: %v", err)
	}
}

// TestProxy_MaxConns_Off checks that a negative cap serves more connections
// than the default would count, without the cap's metrics moving.
func TestProxy_MaxConns_Off(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, func(c *proxy.Config) { c.MaxConns = -1; c.Registerer = reg })
	if code, _, _ := e.get(t, "http://www.caf.fr/", nil); code != http.StatusOK {
		t.Fatalf("GET: %d, want 200", code)
	}
	if v := gauge(t, reg, "kiosk_proxy_client_connections"); v != 0 {
		t.Errorf("kiosk_proxy_client_connections = %v with the cap off, want 0", v)
	}
}

// TestProxy_BodyIdleTimeout sends part of a POST body and then nothing:
// the proxy cuts the request after the idle timeout (an error answer or a
// closed connection) instead of holding the connection, counts it and logs
// it once at Warn.
func TestProxy_BodyIdleTimeout(t *testing.T) {
	const idle = 500 * time.Millisecond
	reg := prometheus.NewRegistry()
	logs := &logcapture.Buffer{}
	e := newEnv(t, func(c *proxy.Config) {
		c.BodyIdleTimeout = idle
		c.Registerer = reg
		c.Logger = logs.Logger() // Info: the service's default level
	})
	for _, target := range []string{"http://www.caf.fr/upload", "http://www.example.com/refused"} {
		t.Run(target, func(t *testing.T) {
			c, err := net.Dial("tcp", e.url.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			_ = c.SetDeadline(start.Add(20 * time.Second))
			if _, err := io.WriteString(c, "POST "+target+" HTTP/1.1\r\nHost: x\r\n"+
				"Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789"); err != nil {
				t.Fatal(err)
			}
			// Read until the proxy closes the connection.
			got, err := io.ReadAll(c)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("the connection was still open after 20 s with a stalled body (read %q)", got)
			}
			if d := time.Since(start); d < idle {
				t.Errorf("cut after %v, before the %v timeout", d, idle)
			}
			if len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(got, []byte("HTTP/1.1 5")) {
				t.Errorf("answer %q, want an error status or none", got)
			}
		})
	}
	if v := gauge(t, reg, "kiosk_proxy_body_timeouts_total"); v < 1 {
		t.Errorf("kiosk_proxy_body_timeouts_total = %v, want at least 1", v)
	}
	// Logged at the default level, once per burst (regression: Debug only).
	if n := strings.Count(logs.String(), "level=WARN msg=\"request body cut"); n != 1 {
		t.Errorf("the cut bodies were logged %d times at Warn, want once per burst:\n%s", n, logs.String())
	}
	for _, s := range e.origin.requests() {
		if s.Body == "0123456789"+strings.Repeat("x", 90) {
			t.Errorf("the origin got a whole body")
		}
	}
}

// TestProxy_BodyIdleTimeout_SlowUpload sends a body slowly but steadily,
// for longer than the idle timeout in all: it is not cut.
func TestProxy_BodyIdleTimeout_SlowUpload(t *testing.T) {
	const idle = time.Second
	e := newEnv(t, func(c *proxy.Config) { c.BodyIdleTimeout = idle })
	const chunks = 15
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < chunks; i++ {
			if _, err := pw.Write([]byte("0123456789")); err != nil {
				return
			}
			time.Sleep(150 * time.Millisecond) // a slow client, not a synchronisation
		}
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, "http://www.caf.fr/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 10 * chunks
	start := time.Now()
	c := e.client()
	c.Timeout = 30 * time.Second
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("slow upload: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("slow upload: status %d, want 200", resp.StatusCode)
	}
	if d := time.Since(start); d < idle {
		t.Fatalf("the upload took %v, not longer than the %v timeout: the test proves nothing", d, idle)
	}
	want := strings.Repeat("0123456789", chunks)
	var found bool
	for _, s := range e.origin.requests() {
		found = found || (s.Path == "/upload" && s.Body == want)
	}
	if !found {
		t.Errorf("the origin did not get the whole body: %+v", e.origin.requests())
	}
}
