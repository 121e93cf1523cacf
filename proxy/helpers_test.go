package proxy_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/proxy"
)

// publicAddr is the documentation address (TEST-NET-3) that test names
// resolve to; the Dial seam maps it to the loopback origin. No test ever
// dials it for real.
const publicAddr = "203.0.113.10"

// loadList parses testdata/allowlist.yaml.
func loadList(t testing.TB) *allowlist.List {
	t.Helper()
	data, err := os.ReadFile("testdata/allowlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := allowlist.Parse(data, "testdata/allowlist.yaml")
	if err != nil {
		t.Fatalf("parsing test allowlist: %v", err)
	}
	return l
}

// env is one proxy under test, on loopback, with its origin and seams.
type env struct {
	origin *origin
	net    *fakeNet
	rec    *recorder
	pol    *policy
	proxy  *proxy.Proxy
	srv    *httptest.Server
	url    *url.URL
	list   *allowlist.List
}

// newEnv starts an origin and the proxy. mod may adjust the Config.
func newEnv(t testing.TB, mod func(*proxy.Config)) *env {
	t.Helper()
	return newEnvWith(t, func(_ *env, c *proxy.Config) {
		if mod != nil {
			mod(c)
		}
	})
}

// newEnvWith is newEnv with a mod that also sees the env (its origin and
// network exist when mod runs).
func newEnvWith(t testing.TB, mod func(*env, *proxy.Config)) *env {
	t.Helper()
	e := &env{origin: newOrigin(t), rec: &recorder{}, pol: &policy{overrides: map[string]bool{}}}
	e.net = newFakeNet(e.origin)
	list := loadList(t)
	e.list = list
	c := &proxy.Config{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Allowlist: func() *allowlist.List { return list },
		Policy:    e.pol,
		Recorder:  e.rec,
		Resolver:  e.net,
		Dial:      e.net.Dial,
	}
	if mod != nil {
		mod(e, c)
	}
	p, err := proxy.New(c)
	if err != nil {
		t.Fatal(err)
	}
	e.proxy = p
	e.srv = httptest.NewUnstartedServer(p)
	e.srv.Config = p.Server("")
	e.srv.Listener = p.Listener(e.srv.Listener) // the connection cap, as serve.go does
	e.srv.Start()
	t.Cleanup(func() { e.srv.Close(); _ = p.Close() })
	e.url, _ = url.Parse(e.srv.URL)
	return e
}

// allowlistFunc returns a Config.Allowlist serving the test list.
func (e *env) allowlistFunc() func() *allowlist.List {
	l := e.list
	return func() *allowlist.List { return l }
}

// client returns an HTTP client that uses the proxy, trusts the origin's
// certificate, never follows redirects and never asks for compression.
func (e *env) client() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:              http.ProxyURL(e.url),
			TLSClientConfig:    &tls.Config{RootCAs: e.origin.certPool},
			DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

// get does one GET through the proxy and returns status and body.
func (e *env) get(t testing.TB, rawURL string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := e.client()
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// raw sends raw bytes to the proxy and returns every response read, in
// order, until the proxy closes the connection or n responses arrived.
func (e *env) raw(t testing.TB, payload string, n int) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", e.url.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, payload); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for len(out) < n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err) {
				break
			}
			t.Fatalf("reading response %d: %v", len(out)+1, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		out = append(out, resp)
	}
	return out
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// statusOf returns the status code of the only response, or 0 when the
// proxy closed the connection without a status line.
func statusOf(rs []*http.Response) int {
	if len(rs) == 0 {
		return 0
	}
	return rs[0].StatusCode
}
