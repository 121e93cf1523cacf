package proxy_test

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestProxy_MalformedRequests sends raw requests over TCP and checks what
// the client actually gets: some are refused by Go's HTTP server before the
// proxy's handler runs, the rest by the proxy. Nothing may reach the origin.
func TestProxy_MalformedRequests(t *testing.T) {
	e := newEnv(t, nil)
	testCases := []struct {
		name, req string
		want      int // status; 0 = connection closed without a status line
	}{
		{"origin-form", "GET / HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"origin-form HTTP/1.0", "GET /x HTTP/1.0\r\n\r\n", 400},
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"missing Host on HTTP/1.1", "GET http://www.caf.fr/ HTTP/1.1\r\n\r\n", 400},
		{"duplicate Host", "GET http://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\nHost: evil.example\r\n\r\n", 400},
		{"userinfo", "GET http://user@www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"userinfo hiding the host", "GET http://www.caf.fr@evil.example/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"percent-encoded host", "GET http://www.%63af.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"non-ASCII host", "GET http://www.cäf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"empty label", "GET http://www..caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"two trailing dots", "GET http://www.caf.fr../ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"leading dot", "GET http://.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"empty host", "GET http:/// HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"backslash", "GET http://www.caf.fr\\@evil.example/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"https absolute-form", "GET https://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"ws absolute-form", "GET ws://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"ftp absolute-form", "GET ftp://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"port with leading zero", "GET http://www.caf.fr:080/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"empty port", "GET http://www.caf.fr:/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"port 0", "GET http://www.caf.fr:0/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"port too big", "GET http://www.caf.fr:65616/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"hex port", "GET http://www.caf.fr:0x50/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"signed port", "GET http://www.caf.fr:+80/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"IPv6 zone", "GET http://[fe80::1%25eth0]/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"unbracketed IPv6", "GET http://::1/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"number that is no address", "GET http://1.2.3.4.5/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"numeric last label", "GET http://www.caf.999/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"h2c upgrade", "GET http://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", 400},
		{"TLS upgrade", "GET http://www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\nConnection: Upgrade\r\nUpgrade: TLS/1.2\r\n\r\n", 400},
		{"websocket upgrade on POST", "POST http://www.caf.fr/ws HTTP/1.1\r\nHost: www.caf.fr\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n", 400},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
		{"HTTP/2 request line", "GET http://www.caf.fr/ HTTP/2.0\r\nHost: www.caf.fr\r\n\r\n", 505},
		{"CONNECT userinfo", "CONNECT a@www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n", 400},
		{"CONNECT with path", "CONNECT www.caf.fr:443/path HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n", 400},
		{"CONNECT without port", "CONNECT www.caf.fr HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"CONNECT empty port", "CONNECT www.caf.fr: HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"CONNECT port leading zero", "CONNECT www.caf.fr:0443 HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"CONNECT absolute URL", "CONNECT https://www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"CONNECT origin-form", "CONNECT / HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n", 400},
		{"CONNECT percent", "CONNECT www.%63af.fr:443 HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"CONNECT empty label", "CONNECT www..caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
		{"CONNECT query", "CONNECT www.caf.fr:443?x HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 400},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			rs := e.raw(t, tc.req, 1)
			if got := statusOf(rs); got != tc.want {
				t.Fatalf("%q answered %d, want %d", tc.req, got, tc.want)
			}
			if rs[0].StatusCode == 500 {
				t.Fatal("got 500")
			}
		})
	}
	if n := len(e.origin.requests()); n != 0 {
		t.Fatalf("origin saw %d requests, want 0", n)
	}
	if d := e.net.dials(); len(d) != 0 {
		t.Fatalf("malformed requests dialled %q", d)
	}
}

// TestProxy_HostHeaderIgnored proves that only the request line decides and
// that the Host header sent upstream is rebuilt from it.
func TestProxy_HostHeaderIgnored(t *testing.T) {
	e := newEnv(t, nil)
	rs := e.raw(t, "GET http://www.example.com/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n", 1)
	if statusOf(rs) != http.StatusForbidden {
		t.Fatalf("denied target with allowed Host header = %d, want 403", statusOf(rs))
	}
	rs = e.raw(t, "GET http://www.caf.fr/x HTTP/1.1\r\nHost: www.example.com\r\n\r\n", 1)
	if statusOf(rs) != http.StatusOK {
		t.Fatalf("allowed target with denied Host header = %d, want 200", statusOf(rs))
	}
	rs = e.raw(t, "GET http://www.caf.fr:80/y HTTP/1.0\r\n\r\n", 1)
	if statusOf(rs) != http.StatusOK {
		t.Fatalf("HTTP/1.0 without Host = %d, want 200", statusOf(rs))
	}
	rs = e.raw(t, "CONNECT www.example.com:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n", 1)
	if statusOf(rs) != http.StatusForbidden {
		t.Fatalf("CONNECT to denied host with allowed Host header = %d, want 403", statusOf(rs))
	}
	reqs := e.origin.requests()
	if len(reqs) != 2 || reqs[0].Host != "www.caf.fr" || reqs[1].Host != "www.caf.fr" {
		t.Fatalf("origin saw %+v, want 2 requests with Host www.caf.fr", reqs)
	}
}

// TestProxy_KeepAlive checks that each request on one kept-alive
// connection is judged on its own: with Go's client and over raw TCP with
// pipelined requests.
func TestProxy_KeepAlive(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	c.Transport.(*http.Transport).MaxConnsPerHost = 1
	defer c.CloseIdleConnections()
	var conns []string
	for i, tc := range []struct {
		url  string
		want int
	}{
		{"http://www.caf.fr/1", 200},
		{"http://www.example.com/2", 403},
		{"http://www.caf.fr/3", 200},
		{"http://laposte.net/4", 403},
	} {
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		var local string
		req = req.WithContext(withConnTrace(req.Context(), &local))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("request %d %s = %d, want %d", i, tc.url, resp.StatusCode, tc.want)
		}
		conns = append(conns, local)
	}
	for _, l := range conns[1:] {
		if l != conns[0] {
			t.Fatalf("requests used connections %q, want one kept-alive connection", conns)
		}
	}

	// Pipelined: three requests written at once on one connection.
	pipelined := "GET http://www.caf.fr/a HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n" +
		"GET http://www.example.com/b HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n" +
		"GET http://api.caf.fr/c HTTP/1.1\r\nHost: www.example.com\r\n\r\n" +
		"GET http://127.0.0.1/d HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n"
	before := len(e.origin.requests())
	rs := e.raw(t, pipelined, 4)
	var got []int
	for _, r := range rs {
		got = append(got, r.StatusCode)
	}
	if len(got) != 4 || got[0] != 200 || got[1] != 403 || got[2] != 200 || got[3] != 403 {
		t.Fatalf("pipelined statuses = %v, want [200 403 200 403]", got)
	}
	body, _ := io.ReadAll(rs[2].Body)
	if string(body) != "hello from api.caf.fr /c" {
		t.Errorf("third pipelined answer = %q", body)
	}
	reqs := e.origin.requests()[before:]
	if len(reqs) != 2 || reqs[0].Path != "/a" || reqs[1].Host != "api.caf.fr" {
		t.Fatalf("origin saw %+v, want /a and api.caf.fr/c only", reqs)
	}
	for _, r := range reqs {
		if strings.Contains(r.Path, "/b") || strings.Contains(r.Path, "/d") {
			t.Fatalf("refused pipelined request reached the origin: %+v", r)
		}
	}
}

// TestProxy_NoSmuggling checks that bytes following a refused request (its
// body, or data sent after a refused CONNECT) are never read as a request.
// A final "sentinel" request with Connection: close ends each exchange.
func TestProxy_NoSmuggling(t *testing.T) {
	e := newEnv(t, nil)
	inner := "GET http://www.caf.fr/smuggled HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n"
	sentinel := "GET http://www.caf.fr/sentinel HTTP/1.1\r\nHost: www.caf.fr\r\nConnection: close\r\n\r\n"
	testCases := []struct {
		name, payload string
		want          []int
	}{
		{"refused POST with a request as body",
			"POST http://www.example.com/ HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: " +
				itoa(len(inner)) + "\r\n\r\n" + inner + sentinel, []int{403, 200}},
		{"refused chunked POST with a request as body",
			"POST http://www.example.com/ HTTP/1.1\r\nHost: www.example.com\r\nTransfer-Encoding: chunked\r\n\r\n" +
				hex(len(inner)) + "\r\n" + inner + "\r\n0\r\n\r\n" + sentinel, []int{403, 200}},
		{"refused POST, Expect: 100-continue, body sent anyway",
			"POST http://www.example.com/ HTTP/1.1\r\nHost: www.example.com\r\nExpect: 100-continue\r\nContent-Length: " +
				itoa(len(inner)) + "\r\n\r\n" + inner + sentinel, []int{403}},
		{"data after a refused CONNECT", "CONNECT www.example.com:443 HTTP/1.1\r\nHost: www.example.com:443\r\n\r\n" + inner + sentinel, []int{403}},
		{"data after a malformed CONNECT", "CONNECT a@www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n" + inner + sentinel, []int{400}},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			rs := e.raw(t, tc.payload, 3)
			var got []int
			for _, r := range rs {
				got = append(got, r.StatusCode)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("answers %v, want %v", got, tc.want)
			}
		})
	}
	for _, r := range e.origin.requests() {
		if strings.Contains(r.Path, "smuggled") {
			t.Fatalf("a smuggled request reached the origin: %+v", r)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
func hex(n int) string  { return strconv.FormatInt(int64(n), 16) }

func TestProxy_Upgrades(t *testing.T) {
	e := newEnv(t, nil)
	testCases := []struct {
		name, headers string
		want          int
	}{
		{"websocket without Connection: upgrade", "Upgrade: websocket\r\n", 400},
		{"Connection: upgrade without Upgrade", "Connection: Upgrade\r\n", 400},
		{"two upgrade protocols", "Connection: Upgrade\r\nUpgrade: websocket, h2c\r\n", 400},
		{"websocket with HTTP2-Settings", "Connection: Upgrade\r\nUpgrade: websocket\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n", 400},
		{"h2c", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n", 400},
		{"websocket to a denied host", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", 403},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			host := "www.caf.fr"
			if tc.want == 403 {
				host = "www.example.com"
			}
			rs := e.raw(t, "GET http://"+host+"/ws HTTP/1.1\r\nHost: "+host+"\r\n"+tc.headers+"\r\n", 1)
			if statusOf(rs) != tc.want {
				t.Fatalf("answer %d, want %d", statusOf(rs), tc.want)
			}
		})
	}
	if n := len(e.origin.requests()); n != 0 {
		t.Fatalf("origin saw %d requests, want 0", n)
	}
}
