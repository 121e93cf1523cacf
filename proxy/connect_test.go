package proxy_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestProxy_ConnectTLS(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	defer c.CloseIdleConnections()
	for _, u := range []string{"https://www.caf.fr/secure", "https://tls.example.org:8443/port"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s through CONNECT: %v", u, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		host := strings.TrimPrefix(strings.SplitN(u, "/", 4)[2], "")
		if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "hello from "+host) {
			t.Fatalf("GET %s = %d %q", u, resp.StatusCode, body)
		}
		if resp.TLS == nil || resp.TLS.PeerCertificates[0].Subject.CommonName != "*.caf.fr" {
			t.Fatalf("GET %s: not the origin's own certificate (TLS intercepted?)", u)
		}
	}
	if _, allowed := e.rec.snapshot(); len(allowed) != 2 || allowed[0] != "CAF" || allowed[1] != "Ports" {
		t.Errorf("Recorder.Allowed = %q, want [CAF Ports]", allowed)
	}
}

func TestProxy_ConnectDenied(t *testing.T) {
	e := newEnv(t, nil)
	testCases := []struct{ name, target string }{
		{"not listed", "www.example.com:443"},
		{"label boundary", "evilcaf.fr:443"},
		{"suffix trick", "caf.fr.evil.example:443"},
		{"allowed host, port 80", "www.caf.fr:80"},
		{"allowed host, unlisted port", "www.caf.fr:8443"},
		{"port pattern, other port", "tls.example.org:443"},
		{"IP literal", "127.0.0.1:443"},
		{"IP literal integer", "2130706433:443"},
		{"IPv6 literal", "[::1]:443"},
		{"IPv4-mapped", "[::ffff:7f00:1]:443"},
		{"public literal not named", "203.0.113.51:443"},
		{"supervised", "laposte.net:443"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			rs := e.raw(t, "CONNECT "+tc.target+" HTTP/1.1\r\nHost: "+tc.target+"\r\n\r\n", 2)
			if len(rs) != 1 || rs[0].StatusCode != http.StatusForbidden || rs[0].Proto != "HTTP/1.1" {
				t.Fatalf("CONNECT %s: %d answers, first %v, want one HTTP/1.1 403 then close", tc.target, len(rs), statusOf(rs))
			}
		})
	}
	// Go's client sees the 403 as an error naming the status.
	c := e.client()
	defer c.CloseIdleConnections()
	if _, err := c.Get("https://www.example.com/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("GET https://www.example.com/ error = %v, want Forbidden", err)
	}
	if d := e.net.dials(); len(d) != 0 {
		t.Fatalf("refused CONNECTs dialled %q", d)
	}
}

// TestProxy_ConnectEarlyData sends the first tunnel bytes in the same
// write as the CONNECT request (as a client that does not wait for the 200
// may): they must reach the target, not be read as a second request.
func TestProxy_ConnectEarlyData(t *testing.T) {
	e := newEnv(t, nil)
	conn, err := net.Dial("tcp", e.url.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = io.WriteString(conn, "CONNECT ports.example.org:8080 HTTP/1.1\r\nHost: ports.example.org:8080\r\n\r\n"+
		"GET /early HTTP/1.1\r\nHost: ports.example.org\r\nConnection: close\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT answer: %v %v, want 200", resp, err)
	}
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("answer inside the tunnel: %v %v, want the origin's 200", resp, err)
	}
	if body, _ := io.ReadAll(resp.Body); string(body) != "hello from ports.example.org /early" {
		t.Fatalf("answer inside the tunnel = %q", body)
	}
}

func TestProxy_WebSocket(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hc := e.client()
	defer hc.CloseIdleConnections()
	ws, resp, err := websocket.Dial(ctx, "ws://www.caf.fr/ws", &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatalf("WebSocket through the proxy: %v (%v)", err, resp)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	for _, msg := range []string{"bonjour", strings.Repeat("x", 70000)} {
		if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, got, err := ws.Read(ctx)
		if err != nil || string(got) != msg {
			t.Fatalf("echo of %d bytes = %d bytes, %v", len(msg), len(got), err)
		}
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")

	// wss:// goes through CONNECT.
	hc2 := e.client()
	defer hc2.CloseIdleConnections()
	wss, _, err := websocket.Dial(ctx, "wss://www.caf.fr/ws", &websocket.DialOptions{HTTPClient: hc2})
	if err != nil {
		t.Fatalf("wss through the proxy: %v", err)
	}
	if err := wss.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, got, err := wss.Read(ctx); err != nil || len(got) != 3 {
		t.Fatalf("wss echo = %v, %v", got, err)
	}
	_ = wss.Close(websocket.StatusNormalClosure, "")

	// A WebSocket to a host that is not allowed is refused.
	_, resp, err = websocket.Dial(ctx, "ws://www.example.com/ws", &websocket.DialOptions{HTTPClient: hc})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("WebSocket to a denied host: %v, %v; want 403", err, resp)
	}
}
