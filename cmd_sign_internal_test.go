package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/remote"
)

func TestAllowlistSign(t *testing.T) {
	keygenLimits = remote.ScryptLimits{Ops: 32768, Mem: 16 << 20}
	dir := t.TempDir()
	pub, sec := filepath.Join(dir, "k.pub"), filepath.Join(dir, "k.key")
	var out, errb bytes.Buffer
	signStdin = strings.NewReader("s3cret\n")
	if code := runAllowlistKeygen([]string{"-p", pub, "-s", sec, "--password-stdin"}, &out, &errb); code != 0 {
		t.Fatalf("keygen = %d: %s", code, errb.String())
	}
	if code := runAllowlistKeygen([]string{"-p", pub, "-s", sec}, &out, &errb); code != 1 {
		t.Errorf("keygen over existing keys = %d, want 1", code)
	}

	shipped, err := os.ReadFile("allowlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "allowlist.yaml")
	os.WriteFile(file, shipped, 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nsites:\n  - name: X\n    hostz: [x.fr]\n"), 0o644)

	testCases := []struct {
		name     string
		args     []string
		password string
		want     int
	}{
		{"good", []string{"-s", sec, "--password-stdin", file}, "s3cret\n", 0},
		{"wrong password", []string{"-s", sec, "--password-stdin", "-x", file + ".wrong", file}, "nope\n", 1},
		{"no password", []string{"-s", sec, "-x", file + ".none", file}, "", 1},
		{"invalid allowlist", []string{"-s", sec, "--password-stdin", bad}, "s3cret\n", 1},
		{"no file", []string{"-s", sec}, "", 2},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			signStdin = strings.NewReader(tc.password)
			errb.Reset()
			if code := runAllowlistSign(tc.args, &out, &errb); code != tc.want {
				t.Errorf("sign %q = %d, want %d: %s", tc.args, code, tc.want, errb.String())
			}
		})
	}
	for _, f := range []string{file + ".wrong", file + ".none", bad + ".minisig"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s written by a refused sign", f)
		}
	}

	pubData, _ := os.ReadFile(pub)
	sigData, _ := os.ReadFile(file + ".minisig")
	pk, err := remote.ParsePublicKey(string(pubData))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := remote.ParseSignature(sigData)
	if err != nil {
		t.Fatal(err)
	}
	if err := pk.Verify(shipped, sig); err != nil {
		t.Errorf("Verify(signed allowlist) = %v", err)
	}
	if _, ok := sig.Timestamp(); !ok {
		t.Errorf("trusted comment %q has no timestamp", sig.TrustedComment)
	}
}
