package admin

import (
	"crypto/sha256"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsLoopbackAddr(t *testing.T) {
	testCases := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true},
		{"127.9.9.9:8080", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"192.0.2.4:8080", false},
		{"kiosk.mairie.example:8080", false},
		{"nonsense", false},
	}
	for _, tc := range testCases {
		if got := IsLoopbackAddr(tc.addr); got != tc.want {
			t.Errorf("IsLoopbackAddr(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, fp, err := TLSConfig("127.0.0.1:8080", "", "", dir)
	if cfg != nil || fp != "" || err != nil {
		t.Fatalf("loopback: %v %q %v, want nil config", cfg, fp, err)
	}
	if _, _, err := TLSConfig("0.0.0.0:8443", "cert.pem", "", dir); err == nil {
		t.Fatal("cert without key accepted")
	}
	cfg, fp, err = TLSConfig(":8443", "", "", dir)
	if err != nil || cfg == nil {
		t.Fatalf("self-signed: %v", err)
	}
	if len(fp) != 95 || strings.Count(fp, ":") != 31 {
		t.Errorf("fingerprint %q, want 32 hex pairs", fp)
	}
	fi, err := os.Stat(filepath.Join(dir, SelfSignedKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want mode 0600", err, fi)
	}
	_, fp2, err := TLSConfig(":8443", "", "", dir)
	if err != nil || fp2 != fp {
		t.Fatalf("second start fingerprint %q (%v), want the same %q", fp2, err, fp)
	}
	// The given files are used as they are.
	_, fp3, err := TLSConfig("192.0.2.1:443", filepath.Join(dir, SelfSignedCertFile), filepath.Join(dir, SelfSignedKeyFile), t.TempDir())
	if err != nil || fp3 != fp {
		t.Fatalf("explicit files: %q %v, want %q", fp3, err, fp)
	}

	// A real TLS client sees the certificate with that fingerprint.
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cs := conn.ConnectionState()
	sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
	if Fingerprint(sum[:]) != fp {
		t.Errorf("served certificate fingerprint differs")
	}
	if cs.Version < tls.VersionTLS12 {
		t.Errorf("TLS version %x", cs.Version)
	}
	if err := cs.PeerCertificates[0].VerifyHostname("localhost"); err != nil {
		t.Errorf("certificate does not cover localhost: %v", err)
	}
}
