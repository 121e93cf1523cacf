// Command kiosk-test-origin is the web site of the VM test (packaging/test/vm),
// installed in the test image only, never in the package.
//
// It serves demarches.test (allowed by the test's allowlist) and
// interdit.test (not allowed) over HTTP and HTTPS on an address of a dummy
// interface inside the guest, and appends one line per request it receives
// to a log, so that the test can prove what reached it. Its pages are flat
// colours the test finds in the screendumps: green for demarches.test, with
// an orange block that links to interdit.test and a purple one to its
// upload form (/upload: a teal file button; the file sent is logged as
// "UPLOAD sha256=… size=… type=… name=…").
//
//	kiosk-test-origin -gen DIR      writes ca.crt, origin.crt and origin.key
//	kiosk-test-origin -addr A -cert F -key F -log F
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Names the origin answers for.
var names = []string{"demarches.test", "interdit.test"}

func main() {
	gen := flag.String("gen", "", "write ca.crt, origin.crt and origin.key to this directory and exit")
	addr := flag.String("addr", "203.0.113.10", "address to listen on (ports 80 and 443)")
	cert := flag.String("cert", "", "certificate (PEM)")
	key := flag.String("key", "", "private key (PEM)")
	logPath := flag.String("log", "/var/log/kiosk-test-origin.log", "request log")
	flag.Parse()
	if *gen != "" {
		if err := generate(*gen); err != nil {
			slog.Error("generating certificates", "err", err)
			os.Exit(1)
		}
		return
	}
	if err := serve(*addr, *cert, *key, *logPath); err != nil {
		slog.Error("serving", "err", err)
		os.Exit(1)
	}
}

// serve runs HTTP on addr:80 and HTTPS on addr:443 until one fails.
func serve(addr, certFile, keyFile, logPath string) error {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("opening the request log: %w", err)
	}
	defer lf.Close()
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		mu.Lock()
		fmt.Fprintf(lf, "%s %s %s://%s%s\n", time.Now().UTC().Format(time.RFC3339Nano), r.Method, scheme, r.Host, r.URL.Path)
		_ = lf.Sync()
		mu.Unlock()
		if r.Method == http.MethodPost && r.URL.Path == "/upload" {
			line, err := received(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			fmt.Fprintf(lf, "%s %s\n", time.Now().UTC().Format(time.RFC3339Nano), line)
			_ = lf.Sync()
			mu.Unlock()
		}
		page(w, r)
	})
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("loading the certificate: %w", err)
	}
	errc := make(chan error, 2)
	plain := &http.Server{Addr: net.JoinHostPort(addr, "80"), Handler: h, ReadHeaderTimeout: 10 * time.Second}
	secure := &http.Server{Addr: net.JoinHostPort(addr, "443"), Handler: h, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() { errc <- plain.ListenAndServe() }()
	go func() { errc <- secure.ListenAndServeTLS("", "") }()
	slog.Info("origin listening", "addr", addr, "names", names)
	return <-errc
}

// page writes the page of the requested name.
func page(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Path == "/favicon.ico" {
		http.NotFound(w, r)
		return
	}
	switch host {
	case "interdit.test":
		// The kiosk must never show this: a blue page.
		fmt.Fprint(w, `<!doctype html><html lang="fr"><title>Interdit</title>
<body style="margin:0;background:#1565c0;color:#fff;font:48px sans-serif">Ce site ne doit pas s'afficher.</body></html>`)
	default:
		if r.URL.Path == "/upload" {
			// A form asking for a document: a teal block (the file
			// button's label) the test touches to open the kiosk's
			// documents overlay; the chosen file is sent at once.
			fmt.Fprint(w, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Envoi d'un justificatif</title></head>
<body style="margin:0;background:#37474f;color:#fff;font:40px sans-serif;height:100vh">
<form id="f" method="post" action="/upload" enctype="multipart/form-data">
<label for="file" style="display:block;position:fixed;left:0;right:0;top:25vh;height:50vh;background:#00838f;color:#fff;padding:40px;box-sizing:border-box">Joindre un justificatif</label>
<input id="file" name="doc" type="file" style="position:absolute;left:0;top:0;width:1px;height:1px;opacity:0">
</form>
<script>document.getElementById('file').addEventListener('change', function () { if (this.files.length) document.getElementById('f').submit(); });</script>
</body></html>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Démarches test</title></head>
<body style="margin:0;background:#2e7d32;color:#fff;font:40px sans-serif;height:100vh">
<p style="margin:0;padding:40px">Démarches test : page du site d'essai</p>
<a href="/upload" style="display:block;position:fixed;left:0;right:0;top:30vh;height:18vh;background:#6a1b9a;color:#fff;padding:20px 40px;box-sizing:border-box;text-decoration:none">Envoyer un justificatif</a>
<a href="https://interdit.test/" style="display:block;position:fixed;left:0;right:0;bottom:0;height:40vh;background:#ef6c00;color:#fff;padding:40px;text-decoration:none">Lien vers interdit.test</a>
</body></html>`)
	}
}

// received reads the file of an upload form and describes it for the
// request log: its SHA-256, size, content type and name.
func received(r *http.Request) (string, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return "", fmt.Errorf("reading the form: %w", err)
	}
	f, h, err := r.FormFile("doc")
	if err != nil {
		return "", fmt.Errorf("the form has no file: %w", err)
	}
	defer f.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, f)
	if err != nil {
		return "", fmt.Errorf("reading the file: %w", err)
	}
	return fmt.Sprintf("UPLOAD sha256=%x size=%d type=%s name=%q", sum.Sum(nil), n, h.Header.Get("Content-Type"), h.Filename), nil
}

// generate writes a CA and a certificate for names, signed by it.
func generate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating the CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kiosk VM test CA"},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("signing the CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return fmt.Errorf("parsing the CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating the key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(2 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("signing the certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding the key: %w", err)
	}
	return errors.Join(
		writePEM(filepath.Join(dir, "ca.crt"), "CERTIFICATE", caDER, 0o644),
		writePEM(filepath.Join(dir, "origin.crt"), "CERTIFICATE", der, 0o644),
		writePEM(filepath.Join(dir, "origin.key"), "EC PRIVATE KEY", keyDER, 0o600),
	)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
