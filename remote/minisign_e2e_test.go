//go:build e2e

package remote_test

import (
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/remote"
)

// TestMinisign_interop checks both directions with Debian's minisign(1):
// its keys and signatures are accepted here, and ours by it.
func TestMinisign_interop(t *testing.T) {
	bin, err := exec.LookPath("minisign")
	if err != nil {
		t.Fatal("minisign not installed (apt-get install minisign): ", err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "allowlist.yaml")
	if err := os.WriteFile(file, []byte("version: 1\nsites: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("minisign %v: %v\n%s", args, err, out)
		}
	}

	// minisign signs, we verify.
	run("", "-G", "-W", "-p", filepath.Join(dir, "m.pub"), "-s", filepath.Join(dir, "m.key"))
	run("", "-S", "-s", filepath.Join(dir, "m.key"), "-m", file, "-t", "timestamp:42\tfile:allowlist.yaml\thashed")
	pubData, _ := os.ReadFile(filepath.Join(dir, "m.pub"))
	sigData, _ := os.ReadFile(file + ".minisig")
	data, _ := os.ReadFile(file)
	pk, err := remote.ParsePublicKey(string(pubData))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := remote.ParseSignature(sigData)
	if err != nil {
		t.Fatal(err)
	}
	if err := pk.Verify(data, sig); err != nil {
		t.Errorf("Verify(minisign's signature) = %v", err)
	}
	keyData, _ := os.ReadFile(filepath.Join(dir, "m.key"))
	if _, err := remote.ParseSecretKey(keyData, nil); err != nil {
		t.Errorf("ParseSecretKey(minisign's key) = %v", err)
	}

	// We make an encrypted key and sign; minisign signs with our key and
	// verifies our signature.
	k, err := remote.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := k.MarshalSecretKey([]byte("s3cret"), remote.ScryptLimits{Ops: 524288, Mem: 16 << 20}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "o.key"), enc, 0o600)
	os.WriteFile(filepath.Join(dir, "o.pub"), []byte(k.Public().String()), 0o644)
	ours, err := k.Sign(data, "signature from kiosk", "timestamp:43\tfile:allowlist.yaml\thashed")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file+".minisig", ours, 0o644)
	run("", "-V", "-p", filepath.Join(dir, "o.pub"), "-m", file)
	run("s3cret\n", "-S", "-s", filepath.Join(dir, "o.key"), "-m", file, "-x", file+".2")
	run("", "-V", "-p", filepath.Join(dir, "o.pub"), "-m", file, "-x", file+".2")

	// And minisign refuses a tampered file signed by us, as we do.
	os.WriteFile(file, []byte("version: 1\nsites: [evil]\n"), 0o644)
	if out, err := exec.Command(bin, "-V", "-p", filepath.Join(dir, "o.pub"), "-m", file).CombinedOutput(); err == nil {
		t.Errorf("minisign accepted a tampered file: %s", out)
	}
}
