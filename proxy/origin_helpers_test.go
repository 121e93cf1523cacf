package proxy_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

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
