package proxy_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/proxy"
)

// publicAddr is the documentation address (TEST-NET-3) that test names
// resolve to; the Dial seam maps it to the loopback origin. No test ever
// dials it for real.
const publicAddr = "203.0.113.10"

// seen is what the origin recorded of one request.
type seen struct {
	Method, Host, Path, AcceptEncoding, Body string
	HasAcceptEncoding                        bool
	Header                                   http.Header
}

// origin is a loopback HTTP and HTTPS server that records every request
// that reached it.
type origin struct {
	http, https *httptest.Server
	certPool    *x509.CertPool
	certPEM     []byte

	mu   sync.Mutex
	reqs []seen
}

func (o *origin) record(r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ae, has := r.Header["Accept-Encoding"]
	o.mu.Lock()
	o.reqs = append(o.reqs, seen{Method: r.Method, Host: r.Host, Path: r.URL.RequestURI(),
		AcceptEncoding: strings.Join(ae, ","), HasAcceptEncoding: has, Body: string(body), Header: r.Header.Clone()})
	o.mu.Unlock()
}

// requests returns a copy of what reached the origin so far.
func (o *origin) requests() []seen {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]seen(nil), o.reqs...)
}

// gzipBody is a fixed, already-compressed body the origin serves with
// Content-Encoding: gzip; the proxy must pass it through untouched.
var gzipBody = []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xca, 0x48, 0xcd, 0xc9, 0xc9,
	0x07, 0x04, 0x00, 0x00, 0xff, 0xff, 0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00}

func (o *origin) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		o.record(r)
		fmt.Fprintf(w, "hello from %s %s", r.Host, r.URL.Path)
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		o.record(r)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(gzipBody)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		o.record(r)
		http.Redirect(w, r, "http://www.example.com/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/1k", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(oneKB)
	})
	mux.HandleFunc("/ws", o.websocketEcho)
	return mux
}

var oneKB = []byte(strings.Repeat("k", 1024))

// newOrigin starts the origin on loopback: plain HTTP and HTTPS with a
// certificate for the test names, signed by a test root.
func newOrigin(t testing.TB) *origin {
	t.Helper()
	o := &origin{}
	o.http = httptest.NewServer(o.handler())
	t.Cleanup(o.http.Close)
	cert, pool, pemBytes := testCert(t, "*.caf.fr", "caf.fr", "tls.example.org", "*.example.org")
	o.certPool, o.certPEM = pool, pemBytes
	o.https = httptest.NewUnstartedServer(o.handler())
	o.https.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	o.https.StartTLS()
	t.Cleanup(o.https.Close)
	return o
}

// testCert makes a self-signed ECDSA certificate for names; the pool and
// the PEM trust it.
func testCert(t testing.TB, names ...string) (tls.Certificate, *x509.CertPool, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: names[0]},
		DNSNames:              names,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	pemBytes := pemEncode(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, pemBytes
}

// net is the tests' network seam: a Resolver with a fixed table and a
// Dial that maps public test addresses to loopback listeners and records
// every address it was asked to dial.
type fakeNet struct {
	mu     sync.Mutex
	names  map[string][]netip.Addr
	routes map[string]string // "203.0.113.10:80" -> "127.0.0.1:port"
	dialed []string
	// dialErr, when set, is returned for that address instead of dialing.
	dialErr map[string]error
}

func newFakeNet(o *origin) *fakeNet {
	pub := []netip.Addr{netip.MustParseAddr(publicAddr)}
	n := &fakeNet{
		names: map[string][]netip.Addr{
			"www.caf.fr":         pub,
			"caf.fr":             pub,
			"api.caf.fr":         pub,
			"www.impots.gouv.fr": pub,
			"ports.example.org":  pub,
			"tls.example.org":    pub,
			"laposte.net":        pub,
			"www.example.com":    pub,
			"evilcaf.fr":         pub,
		},
		routes:  map[string]string{},
		dialErr: map[string]error{},
	}
	if o != nil {
		n.routes[publicAddr+":80"] = o.http.Listener.Addr().String()
		n.routes[publicAddr+":8080"] = o.http.Listener.Addr().String()
		n.routes[publicAddr+":443"] = o.https.Listener.Addr().String()
		n.routes[publicAddr+":8443"] = o.https.Listener.Addr().String()
		n.routes["203.0.113.50:80"] = o.http.Listener.Addr().String()
		n.routes["[2001:db8::50]:80"] = o.http.Listener.Addr().String()
	}
	return n
}

func (n *fakeNet) setName(name string, addrs ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var as []netip.Addr
	for _, a := range addrs {
		as = append(as, netip.MustParseAddr(a))
	}
	n.names[name] = as
}

func (n *fakeNet) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if as, ok := n.names[host]; ok {
		return append([]netip.Addr(nil), as...), nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (n *fakeNet) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dialed = append(n.dialed, addr)
	to, ok := n.routes[addr]
	derr := n.dialErr[addr]
	n.mu.Unlock()
	if derr != nil {
		return nil, derr
	}
	if !ok {
		if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Addr().IsLoopback() {
			// Only the upstream-proxy tests dial loopback directly.
			to = addr
		} else {
			return nil, fmt.Errorf("test network: no route to %s", addr)
		}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// dials returns the addresses the proxy asked to dial.
func (n *fakeNet) dials() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dialed...)
}

// recorder records the proxy's Recorder calls.
type recorder struct {
	mu      sync.Mutex
	blocked [][2]string
	allowed []string
}

func (r *recorder) Blocked(host, from string) {
	r.mu.Lock()
	r.blocked = append(r.blocked, [2]string{host, from})
	r.mu.Unlock()
}

func (r *recorder) Allowed(site string) {
	r.mu.Lock()
	r.allowed = append(r.allowed, site)
	r.mu.Unlock()
}

func (r *recorder) snapshot() ([][2]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][2]string(nil), r.blocked...), append([]string(nil), r.allowed...)
}

// policy is a settable Policy.
type policy struct {
	mu         sync.Mutex
	supervised bool
	overrides  map[string]bool
}

func (p *policy) Supervised() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.supervised }
func (p *policy) Override(h string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.overrides[h]
}

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
