package remote_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/remote"
	"github.com/elazarl/goproxy"
)

// origin is an HTTPS server serving an allowlist and its signature; tests
// change what it serves.
type origin struct {
	srv  *httptest.Server
	mu   sync.Mutex
	list []byte
	sig  []byte // nil: 404
}

func newOrigin(t *testing.T) *origin {
	t.Helper()
	o := &origin{}
	o.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		defer o.mu.Unlock()
		var body []byte
		switch r.URL.Path {
		case "/allowlist.yaml":
			body = o.list
		case "/allowlist.yaml.minisig":
			body = o.sig
		}
		if body == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *origin) serve(list, sig []byte) {
	o.mu.Lock()
	o.list, o.sig = list, sig
	o.mu.Unlock()
}

func (o *origin) url() string { return o.srv.URL + "/allowlist.yaml" }

func (o *origin) roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(o.srv.Certificate())
	return p
}

// applier records what Apply received.
type applier struct {
	mu      sync.Mutex
	applied [][]byte
	fail    error
	got     chan []byte
}

func newApplier() *applier { return &applier{got: make(chan []byte, 10)} }

func (a *applier) apply(data []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	a.applied = append(a.applied, data)
	a.got <- data
	return nil
}

func (a *applier) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.applied)
}

func sign(t *testing.T, k remote.PrivateKey, data []byte, ts int64) []byte {
	t.Helper()
	sig, err := k.Sign(data, "test", fmt.Sprintf("timestamp:%d\tfile:allowlist.yaml\thashed", ts))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func genKey(t *testing.T) remote.PrivateKey {
	t.Helper()
	k, err := remote.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFetcher(t *testing.T, o *origin, k remote.PrivateKey, dir string, a *applier) *remote.Fetcher {
	t.Helper()
	f, err := remote.New(&remote.Config{
		URL:       o.url(),
		PublicKey: k.Public().String(),
		Dir:       dir,
		RootCAs:   o.roots(),
		Apply:     a.apply,
		Interval:  time.Hour,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return f
}

var (
	listV1 = []byte("version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n")
	listV2 = []byte("version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n  - name: MSA\n    hosts: [msa.fr]\n")
)

func TestFetcher_Check(t *testing.T) {
	key := genKey(t)
	otherKey := genKey(t)
	tampered := append([]byte("# evil\n"), listV2...)

	testCases := []struct {
		name    string
		list    []byte
		sig     func() []byte
		wantErr error // nil: listV2 applied
	}{
		{"good", listV2, func() []byte { return sign(t, key, listV2, 200) }, nil},
		{"tampered file", tampered, func() []byte { return sign(t, key, listV2, 200) }, remote.ErrBadSignature},
		{"wrong key", listV2, func() []byte { return sign(t, otherKey, listV2, 200) }, remote.ErrWrongKey},
		{"unsigned", listV2, func() []byte { return nil }, nil},
		{"signature is garbage", listV2, func() []byte { return []byte("trust me\n") }, nil},
		{"older than the list in force", listV2, func() []byte { return sign(t, key, listV2, 50) }, remote.ErrRollback},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrigin(t)
			dir := t.TempDir()
			a := newApplier()
			f := newFetcher(t, o, key, dir, a)
			o.serve(listV1, sign(t, key, listV1, 100))
			if err := f.Check(context.Background()); err != nil {
				t.Fatalf("first Check: %v", err)
			}
			o.serve(tc.list, tc.sig())
			err := f.Check(context.Background())
			kept, _ := os.ReadFile(filepath.Join(dir, "remote-allowlist.yaml"))
			if tc.name == "good" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				if a.count() != 2 || string(a.applied[1]) != string(listV2) {
					t.Errorf("applied %d lists, want listV1 then listV2", a.count())
				}
				if string(kept) != string(listV2) {
					t.Errorf("kept copy = %q, want listV2", kept)
				}
				if st := f.Status(); st.Err != "" || st.SHA256 == "" || st.TrustedComment == "" {
					t.Errorf("Status() = %+v", st)
				}
				return
			}
			if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("Check() = %v, want %v", err, tc.wantErr)
			}
			if a.count() != 1 {
				t.Errorf("Apply called %d times, want 1 (listV1 only)", a.count())
			}
			if string(kept) != string(listV1) {
				t.Errorf("kept copy = %q, want listV1 unchanged", kept)
			}
			if st := f.Status(); st.Err == "" {
				t.Errorf("Status().Err is empty after a refused file")
			}
		})
	}
}

func TestFetcher_Run_keepsLastGood(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	dir := t.TempDir()
	o.serve(listV1, sign(t, key, listV1, 100))
	first := newApplier()
	f0 := newFetcher(t, o, key, dir, first)
	if err := f0.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	fetched := f0.Status().LastSuccess
	o.srv.Close() // the URL is down from now on

	a := newApplier()
	f := newFetcher(t, o, key, dir, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	select {
	case got := <-a.got:
		if string(got) != string(listV1) {
			t.Errorf("applied %q, want the kept listV1", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("kept copy not applied while the URL is down")
	}
	waitFor(t, "a failed check in the status", func() bool { return f.Status().Err != "" })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v, want nil", err)
	}
	// The last success is the kept copy's download, not "never" (/metrics
	// alerts on a signed list older than 2 days).
	if st := f.Status(); st.SHA256 == "" || st.LastSuccess.Sub(fetched).Abs() > 2*time.Second {
		t.Errorf("Status() = %+v, want the kept list in force, last success at the kept copy's download %v", st, fetched)
	}
}

func TestFetcher_Run_refusesBadKeptCopy(t *testing.T) {
	key := genKey(t)
	testCases := []struct {
		name  string
		write func(dir string)
	}{
		{"unsigned copy", func(dir string) {
			os.WriteFile(filepath.Join(dir, "remote-allowlist.yaml"), listV1, 0o600)
		}},
		{"edited copy", func(dir string) {
			os.WriteFile(filepath.Join(dir, "remote-allowlist.yaml"), listV2, 0o600)
			os.WriteFile(filepath.Join(dir, "remote-allowlist.yaml.minisig"), sign(t, key, listV1, 1), 0o600)
		}},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			o := newOrigin(t) // serves 404 for both
			dir := t.TempDir()
			tc.write(dir)
			a := newApplier()
			f := newFetcher(t, o, key, dir, a)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- f.Run(ctx) }()
			waitFor(t, "a failed check in the status", func() bool { return !f.Status().LastCheck.IsZero() && f.Status().Err != "" })
			cancel()
			<-done
			if a.count() != 0 {
				t.Errorf("Apply called with a copy that does not verify")
			}
		})
	}
}

func TestFetcher_Check_applyError(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	dir := t.TempDir()
	a := newApplier()
	a.fail = errors.New("allowlist.yaml:2:3: unknown key")
	f := newFetcher(t, o, key, dir, a)
	o.serve(listV1, sign(t, key, listV1, 1))
	if err := f.Check(context.Background()); err == nil {
		t.Fatal("Check() = nil, want the Apply error")
	}
	if _, err := os.Stat(filepath.Join(dir, "remote-allowlist.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a list that Apply refused was kept: %v", err)
	}
}

func TestFetcher_Check_throughProxy(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	o.serve(listV1, sign(t, key, listV1, 1))
	var connects atomic.Int32
	p := goproxy.NewProxyHttpServer()
	p.OnRequest().HandleConnectFunc(func(host string, _ *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		connects.Add(1)
		return goproxy.OkConnect, host
	})
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	pu, _ := url.Parse(ps.URL)
	a := newApplier()
	f, err := remote.New(&remote.Config{
		URL: o.url(), PublicKey: key.Public().String(), Dir: t.TempDir(),
		RootCAs: o.roots(), Apply: a.apply, Proxy: pu,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(context.Background()); err != nil {
		t.Fatalf("Check through proxy: %v", err)
	}
	if connects.Load() == 0 {
		t.Errorf("the upstream proxy saw no CONNECT")
	}
}

func TestNew_publicKeyFile(t *testing.T) {
	k := genKey(t)
	name := filepath.Join(t.TempDir(), "kiosk-allowlist.pub")
	if err := os.WriteFile(name, []byte(k.Public().String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := remote.New(&remote.Config{URL: "https://example.org/a.yaml", PublicKey: name, Dir: t.TempDir(),
		Apply: func([]byte) error { return nil }})
	if err != nil {
		t.Fatalf("New(PublicKey: file) = %v", err)
	}
	if got := f.Status().KeyID; got != k.ID.String() {
		t.Errorf("KeyID = %s, want %s", got, k.ID)
	}
}

func TestNew_invalid(t *testing.T) {
	key := genKey(t).Public().String()
	apply := func([]byte) error { return nil }
	testCases := []struct {
		name string
		c    remote.Config
	}{
		{"http URL", remote.Config{URL: "http://example.org/a.yaml", PublicKey: key, Dir: "/tmp", Apply: apply}},
		{"no URL", remote.Config{PublicKey: key, Dir: "/tmp", Apply: apply}},
		{"http signature URL", remote.Config{URL: "https://example.org/a", SignatureURL: "http://example.org/a.sig", PublicKey: key, Dir: "/tmp", Apply: apply}},
		{"no key", remote.Config{URL: "https://example.org/a", Dir: "/tmp", Apply: apply}},
		{"bad key", remote.Config{URL: "https://example.org/a", PublicKey: "RWQ", Dir: "/tmp", Apply: apply}},
		{"no dir", remote.Config{URL: "https://example.org/a", PublicKey: key, Apply: apply}},
		{"no apply", remote.Config{URL: "https://example.org/a", PublicKey: key, Dir: "/tmp"}},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := remote.New(&tc.c); err == nil {
				t.Errorf("New(%+v) = nil error, want one", tc.c)
			}
		})
	}
}

// waitFor polls cond until it holds (no event exists to wait on).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	wait.Until(t, 10*time.Second, what, cond)
}

func TestFetcher_rollbackAfterRestart(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	dir := t.TempDir()
	o.serve(listV2, sign(t, key, listV2, 200))
	if err := newFetcher(t, o, key, dir, newApplier()).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	// After a restart, the origin (or an attacker in its place) serves an
	// older list that was validly signed at the time.
	o.serve(listV1, sign(t, key, listV1, 100))
	a := newApplier()
	f := newFetcher(t, o, key, dir, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(t, "a failed check in the status", func() bool { return !f.Status().LastCheck.IsZero() && f.Status().Err != "" })
	cancel()
	<-done
	if a.count() != 1 || string(a.applied[0]) != string(listV2) {
		t.Errorf("applied %d lists, want only the kept listV2", a.count())
	}
	if !strings.Contains(f.Status().Err, "older") {
		t.Errorf("Status().Err = %q, want the rollback refusal", f.Status().Err)
	}
}

func TestFetcher_Check_refusesRedirectToHTTP(t *testing.T) {
	key := genKey(t)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(listV1)
	}))
	t.Cleanup(plain.Close)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	a := newApplier()
	f, err := remote.New(&remote.Config{URL: srv.URL + "/allowlist.yaml", PublicKey: key.Public().String(),
		Dir: t.TempDir(), RootCAs: roots, Apply: a.apply})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("Check() = %v, want a refused redirect", err)
	}
	if a.count() != 0 {
		t.Error("Apply called")
	}
}

func TestFetcher_Check_untrustedCertificate(t *testing.T) {
	key := genKey(t)
	o := newOrigin(t)
	o.serve(listV1, sign(t, key, listV1, 1))
	a := newApplier()
	f, err := remote.New(&remote.Config{URL: o.url(), PublicKey: key.Public().String(),
		Dir: t.TempDir(), Apply: a.apply}) // system roots: the test CA is not one
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Check() = %v, want a certificate error", err)
	}
	if a.count() != 0 {
		t.Error("Apply called")
	}
}
