package proxy_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
)

// benchClient is a keep-alive client through the proxy with a pool large
// enough for parallel benchmarks.
func benchClient(e *env) *http.Client {
	c := e.client()
	tr := c.Transport.(*http.Transport)
	tr.MaxIdleConnsPerHost = 256
	tr.MaxIdleConns = 256
	return c
}

func benchGet(b *testing.B, c *http.Client, url string, want int) {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("GET %s = %d, want %d", url, resp.StatusCode, want)
	}
}

// BenchmarkProxy_AllowedGET: 1 KB over plain HTTP through the proxy to the
// loopback origin, kept-alive connections, parallel clients.
func BenchmarkProxy_AllowedGET(b *testing.B) {
	e := newEnv(b, nil)
	c := benchClient(e)
	defer c.CloseIdleConnections()
	b.SetBytes(1024)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchGet(b, c, "http://www.caf.fr/1k", 200)
		}
	})
}

// BenchmarkProxy_Denied: a refused plain GET (403) on kept-alive
// connections.
func BenchmarkProxy_Denied(b *testing.B) {
	e := newEnv(b, nil)
	c := benchClient(e)
	defer c.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchGet(b, c, "http://www.example.com/1k", 403)
		}
	})
}

// BenchmarkProxy_Connect: a new connection, CONNECT, TLS handshake with the
// origin and a 1 KB GET, one at a time (the harness's scenario b).
func BenchmarkProxy_Connect(b *testing.B) {
	e := newEnv(b, nil)
	b.ReportAllocs()
	for b.Loop() {
		c := e.client()
		c.Transport.(*http.Transport).DisableKeepAlives = true
		benchGet(b, c, "https://www.caf.fr/1k", 200)
	}
}

// BenchmarkProxy_Tunnel1MiB: 1 MiB bodies over HTTPS through one kept-alive
// CONNECT tunnel (the harness's scenario f, c=1).
func BenchmarkProxy_Tunnel1MiB(b *testing.B) {
	e := newEnv(b, nil)
	big := bytes.Repeat([]byte("m"), 1<<20)
	e.origin.https.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(big)
	})
	c := e.client()
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: e.origin.certPool}
	defer c.CloseIdleConnections()
	b.SetBytes(1 << 20)
	for b.Loop() {
		benchGet(b, c, "https://www.caf.fr/1m", 200)
	}
}

// BenchmarkProxy_Plain1MiB: 1 MiB bodies over plain HTTP (scenario c, c=1).
func BenchmarkProxy_Plain1MiB(b *testing.B) {
	e := newEnv(b, nil)
	big := []byte(strings.Repeat("m", 1<<20))
	e.origin.http.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(big)
	})
	c := e.client()
	defer c.CloseIdleConnections()
	b.SetBytes(1 << 20)
	for b.Loop() {
		benchGet(b, c, "http://www.caf.fr/1m", 200)
	}
}

// BenchmarkDirect_TLS1MiB is the reference for BenchmarkProxy_Tunnel1MiB:
// the same client and origin without the proxy.
func BenchmarkDirect_TLS1MiB(b *testing.B) {
	e := newEnv(b, nil)
	big := bytes.Repeat([]byte("m"), 1<<20)
	e.origin.https.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(big)
	})
	c := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: e.origin.certPool, ServerName: "www.caf.fr"},
	}}
	defer c.CloseIdleConnections()
	url := "https://" + e.origin.https.Listener.Addr().String() + "/1m"
	b.SetBytes(1 << 20)
	for b.Loop() {
		benchGet(b, c, url, 200)
	}
}
