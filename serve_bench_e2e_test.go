//go:build e2e

package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/testnet"
)

// serveBench is the end-to-end load test of the real `kiosk serve`: the
// binary runs in a private namespace with an origin on a documentation
// address; the load comes from this process through the namespace.
type serveBench struct {
	ns     *testnet.NS
	client *http.Client // through the kiosk proxy
}

func newServeBench(b *testing.B) *serveBench {
	b.Helper()
	ns := testnet.New(b, "www.caf.fr", "www.example.com")
	page := strings.Repeat("x", 1024)
	big := strings.Repeat("y", 1<<20)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/1m" {
			io.WriteString(w, big)
			return
		}
		io.WriteString(w, page)
	})
	for _, port := range []string{"80", "443"} {
		ln, err := ns.Listen("tcp", testnet.OriginAddr+":"+port)
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(h)
		srv.Listener.Close()
		srv.Listener = ln
		if port == "443" {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		b.Cleanup(srv.Close)
		if port == "443" {
			pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
			defer func() {
				tr := newBenchTransport(ns)
				tr.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: "example.com"}
				benchTLS = &http.Client{Transport: tr}
			}()
		}
	}
	al := filepath.Join(b.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(al, []byte(testAllowlist), 0o644); err != nil {
		b.Fatal(err)
	}
	startServeB(b, ns, al)
	return &serveBench{ns: ns, client: &http.Client{Transport: newBenchTransport(ns)}}
}

var benchTLS *http.Client

func newBenchTransport(ns *testnet.NS) *http.Transport {
	pu, _ := url.Parse("http://127.0.0.1:3128")
	return &http.Transport{
		Proxy:               http.ProxyURL(pu),
		DialContext:         ns.DialContext,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}
}

func (sb *serveBench) get(b *testing.B, c *http.Client, u string, want int) {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("GET %s: %d, want %d", u, resp.StatusCode, want)
	}
}

// BenchmarkServe_PlainGET1K: 1 KB pages over plain HTTP with keep-alive, 16
// client goroutines.
func BenchmarkServe_PlainGET1K(b *testing.B) {
	sb := newServeBench(b)
	b.SetParallelism(16 / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sb.get(b, sb.client, "http://www.caf.fr/1k", 200)
		}
	})
}

// BenchmarkServe_Plain1M: 1 MiB bodies over plain HTTP, one connection.
func BenchmarkServe_Plain1M(b *testing.B) {
	sb := newServeBench(b)
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for b.Loop() {
		sb.get(b, sb.client, "http://www.caf.fr/1m", 200)
	}
}

// BenchmarkServe_Tunnel1M: 1 MiB bodies over HTTPS in a kept-alive CONNECT
// tunnel.
func BenchmarkServe_Tunnel1M(b *testing.B) {
	sb := newServeBench(b)
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for b.Loop() {
		sb.get(b, benchTLS, "https://www.caf.fr/1m", 200)
	}
}

// BenchmarkServe_ConnectTLS: a new connection, CONNECT, TLS handshake and a
// 1 KB GET each time.
func BenchmarkServe_ConnectTLS(b *testing.B) {
	sb := newServeBench(b)
	b.ResetTimer()
	for b.Loop() {
		sb.get(b, benchTLS, "https://www.caf.fr/1k", 200)
		benchTLS.CloseIdleConnections()
	}
}

// BenchmarkServe_Denied: a refused plain GET, keep-alive.
func BenchmarkServe_Denied(b *testing.B) {
	sb := newServeBench(b)
	b.ResetTimer()
	for b.Loop() {
		sb.get(b, sb.client, "http://www.example.com/", 403)
	}
}
