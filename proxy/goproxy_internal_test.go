package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/elazarl/goproxy"
)

func testList(t *testing.T) *allowlist.List {
	t.Helper()
	l, err := allowlist.Parse([]byte("version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestGoproxy_CatchAll serves goproxy with the proxy's handlers directly,
// without ServeHTTP's judgement in front: the handlers alone must refuse
// what is not allowed, for plain requests and CONNECT (design.md §3 rule 1).
func TestGoproxy_CatchAll(t *testing.T) {
	dialled := make(chan string, 10)
	l := testList(t)
	p, err := New(&Config{
		Logger:    quietLogger(),
		Allowlist: func() *allowlist.List { return l },
		Dial: func(_ context.Context, _, addr string) (net.Conn, error) {
			dialled <- addr
			return nil, io.EOF
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.gp)
	defer srv.Close()
	for _, req := range []string{
		"GET http://www.example.com/ HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
		"GET http://user@www.caf.fr/ HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n",
		"CONNECT www.example.com:443 HTTP/1.1\r\nHost: www.example.com:443\r\n\r\n",
		"CONNECT www.caf.fr:8443 HTTP/1.1\r\nHost: www.caf.fr:8443\r\n\r\n",
		"CONNECT a@www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n",
	} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.WriteString(c, req)
		method := strings.Fields(req)[0]
		resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
		c.Close()
		if err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("goproxy alone, %q: %v %v, want 403", strings.SplitN(req, "\r", 2)[0], resp, err)
		}
	}
	select {
	case a := <-dialled:
		t.Fatalf("the catch-all let %s be dialled", a)
	default:
	}
}

// TestProxy_HTTPSUpstream chains to an https:// institutional proxy,
// verified with its certificate, for plain requests and CONNECT.
func TestProxy_HTTPSUpstream(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "origin "+r.Host)
	}))
	defer origin.Close()
	var seen []string
	up := goproxy.NewProxyHttpServer()
	up.Logger = log.New(io.Discard, "", 0)
	toOrigin := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, origin.Listener.Addr().String())
	}
	up.Tr = &http.Transport{DialContext: toOrigin}
	up.ConnectDial = nil
	upSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.RequestURI)
		up.ServeHTTP(w, r)
	}))
	defer upSrv.Close()

	l := testList(t)
	u, _ := url.Parse(upSrv.URL)
	p, err := New(&Config{Logger: quietLogger(), Allowlist: func() *allowlist.List { return l }, Upstream: u})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	roots := upSrv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	p.upstream.roots = roots
	p.tr.TLSClientConfig.RootCAs = roots
	srv := httptest.NewServer(p)
	defer srv.Close()
	pu, _ := url.Parse(srv.URL)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}, Timeout: 10 * time.Second}
	resp, err := client.Get("http://www.caf.fr/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "origin www.caf.fr" {
		t.Fatalf("plain GET through an https upstream = %d %q", resp.StatusCode, b)
	}
	// CONNECT: the tunnel reaches the (plain) origin through the upstream;
	// speak HTTP inside it.
	c, err := net.Dial("tcp", pu.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(c, "CONNECT www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err = http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT through an https upstream: %v %v", resp, err)
	}
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: www.caf.fr\r\n\r\n")
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if string(b) != "origin www.caf.fr" {
		t.Fatalf("inside the tunnel: %q", b)
	}
	if len(seen) != 2 || seen[0] != "GET http://www.caf.fr/" || seen[1] != "CONNECT www.caf.fr:443" {
		t.Fatalf("the upstream saw %q", seen)
	}

	// An upstream whose certificate is not trusted is an upstream error.
	p2, err := New(&Config{Logger: quietLogger(), Allowlist: func() *allowlist.List { return l }, Upstream: u})
	if err != nil {
		t.Fatal(err)
	}
	srv2 := httptest.NewServer(p2)
	defer srv2.Close()
	pu2, _ := url.Parse(srv2.URL)
	client2 := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu2)}, Timeout: 10 * time.Second}
	resp, err = client2.Get("http://www.caf.fr/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("untrusted upstream certificate = %d, want 502", resp.StatusCode)
	}
	_ = tls.VersionTLS13
}
