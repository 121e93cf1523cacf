package proxy_test

import (
	"context"
	"encoding/base64"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/proxy"
	"github.com/elazarl/goproxy"
)

// institutional is a second goproxy on loopback standing for a town
// hall's own proxy. It records the request lines it receives and reaches
// the test names through the tests' network seam.
type institutional struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string // "METHOD request-uri proxy-authorization"
}

func newInstitutional(t *testing.T, n *fakeNet) *institutional {
	t.Helper()
	in := &institutional{}
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = log.New(io.Discard, "", 0)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		addrs, err := n.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
		return n.Dial(ctx, network, net.JoinHostPort(addrs[0].String(), port))
	}
	gp.Tr = &http.Transport{DialContext: dial}
	gp.ConnectDial = nil
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.mu.Lock()
		in.got = append(in.got, r.Method+" "+r.RequestURI+" "+r.Header.Get("Proxy-Authorization"))
		in.mu.Unlock()
		gp.ServeHTTP(w, r)
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *institutional) lines() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.got...)
}

func TestProxy_Upstream(t *testing.T) {
	var in *institutional
	var upstreamHost string
	var mu sync.Mutex
	var kioskDials []string
	e := newEnvWith(t, func(e *env, c *proxy.Config) {
		in = newInstitutional(t, e.net)
		upstreamHost = strings.TrimPrefix(in.srv.URL, "http://")
		c.Upstream, _ = url.Parse("http://agent:s3cret@" + upstreamHost)
		c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			kioskDials = append(kioskDials, addr)
			mu.Unlock()
			return e.net.Dial(ctx, network, addr)
		}
	})

	status, body, _ := e.get(t, "http://www.caf.fr/via-upstream", map[string]string{"Proxy-Authorization": "Basic bm9wZTpub3Bl"})
	if status != 200 || body != "hello from www.caf.fr /via-upstream" {
		t.Fatalf("plain GET through the upstream = %d %q", status, body)
	}
	c := e.client()
	defer c.CloseIdleConnections()
	resp, err := c.Get("https://www.caf.fr/tunnel")
	if err != nil {
		t.Fatalf("HTTPS through the upstream: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hello from www.caf.fr /tunnel" {
		t.Fatalf("HTTPS through the upstream = %d %q", resp.StatusCode, b)
	}
	if status, _, _ := e.get(t, "http://www.example.com/", nil); status != http.StatusForbidden {
		t.Fatalf("denied host with an upstream = %d, want 403", status)
	}
	if rs := e.raw(t, "CONNECT www.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", 1); statusOf(rs) != 403 {
		t.Fatalf("denied CONNECT with an upstream = %d, want 403", statusOf(rs))
	}
	if rs := e.raw(t, "GET http://10.1.2.3/ HTTP/1.1\r\nHost: x\r\n\r\n", 1); statusOf(rs) != 403 {
		t.Fatalf("named private literal with an upstream = %d, want 403", statusOf(rs))
	}

	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("agent:s3cret"))
	want := []string{
		"GET http://www.caf.fr/via-upstream " + auth,
		"CONNECT www.caf.fr:443 " + auth,
	}
	if got := in.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the upstream saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(kioskDials) < 2 {
		t.Fatalf("the kiosk proxy dialled %q, want the upstream for plain and CONNECT", kioskDials)
	}
	for _, d := range kioskDials {
		if d != upstreamHost {
			t.Fatalf("the kiosk proxy dialled %s, want only the upstream %s", d, upstreamHost)
		}
	}
}

// TestProxy_UpstreamRefuses checks that an upstream's refusal of CONNECT
// becomes a 502 with a status line.
func TestProxy_UpstreamRefuses(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "denied by the town hall", http.StatusForbidden)
	}))
	defer refusing.Close()
	e := newEnv(t, func(c *proxy.Config) { c.Upstream, _ = url.Parse(refusing.URL) })
	if rs := e.raw(t, "CONNECT www.caf.fr:443 HTTP/1.1\r\nHost: www.caf.fr:443\r\n\r\n", 1); statusOf(rs) != http.StatusBadGateway {
		t.Fatalf("CONNECT refused by the upstream = %d, want 502", statusOf(rs))
	}
}

func TestNew_Upstream(t *testing.T) {
	list := loadList(t)
	for _, raw := range []string{"socks5://127.0.0.1:1080", "http://", "http://proxy:3128/path", "ftp://proxy"} {
		u, _ := url.Parse(raw)
		if _, err := proxy.New(&proxy.Config{Allowlist: func() *allowlist.List { return list }, Upstream: u}); err == nil {
			t.Errorf("New with Upstream %q succeeded, want an error", raw)
		}
	}
}
