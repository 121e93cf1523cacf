//go:build e2e

package remote_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/communes/kiosk/remote"
)

// TestFetcher_minisignFileName signs with Debian's minisign(1) and its
// default trusted comment (timestamp, the file's base name, hashed): a list
// signed as allowlist.yaml is accepted at .../allowlist.yaml, the same key's
// signature of another town's file is refused there, and the list in force
// stays.
func TestFetcher_minisignFileName(t *testing.T) {
	bin, err := exec.LookPath("minisign")
	if err != nil {
		t.Fatal("minisign not installed (apt-get install minisign): ", err)
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("minisign %v: %v\n%s", args, err, out)
		}
	}
	run("-G", "-W", "-p", filepath.Join(dir, "m.pub"), "-s", filepath.Join(dir, "m.key"))
	pub, err := os.ReadFile(filepath.Join(dir, "m.pub"))
	if err != nil {
		t.Fatal(err)
	}
	signed := func(name string, data []byte) []byte {
		t.Helper()
		sub := t.TempDir()
		file := filepath.Join(sub, name)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		run("-S", "-s", filepath.Join(dir, "m.key"), "-m", file)
		sig, err := os.ReadFile(file + ".minisig")
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}

	o := newOrigin(t)
	a := newApplier()
	f, err := remote.New(&remote.Config{URL: o.url(), PublicKey: string(pub), Dir: t.TempDir(),
		RootCAs: o.roots(), Apply: a.apply, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	o.serve(listV1, signed("allowlist.yaml", listV1))
	if err := f.Check(context.Background()); err != nil || a.count() != 1 {
		t.Fatalf("minisign's signature of allowlist.yaml: Check() = %v, applied %d", err, a.count())
	}
	// Same key, maybe the same second: the name is checked first.
	o.serve(listV2, signed("trifouillis.yaml", listV2))
	if err := f.Check(context.Background()); !errors.Is(err, remote.ErrWrongFile) {
		t.Fatalf("minisign's signature of trifouillis.yaml: Check() = %v, want ErrWrongFile", err)
	}
	if a.count() != 1 {
		t.Errorf("applied %d lists, want listV1 only", a.count())
	}
}
