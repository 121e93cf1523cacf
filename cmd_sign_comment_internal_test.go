package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/remote"
)

// TestSignedComment checks that every signature kiosk allowlist sign
// writes names the file and a timestamp, which the terminals require
// (remote: ErrWrongFile, ErrNoTimestamp).
func TestSignedComment(t *testing.T) {
	now := time.Unix(1796672719, 0)
	testCases := []struct{ comment, want string }{
		{"", "timestamp:1796672719\tfile:allowlist.yaml\thashed"},
		{"release 12", "timestamp:1796672719\tfile:allowlist.yaml\trelease 12"},
		{"timestamp:5\trelease 12", "file:allowlist.yaml\ttimestamp:5\trelease 12"},
		{"file:mairie.yaml\trelease 12", "timestamp:1796672719\tfile:mairie.yaml\trelease 12"},
		{"profile:x", "timestamp:1796672719\tfile:allowlist.yaml\tprofile:x"},
	}
	for _, tc := range testCases {
		if got := signedComment(tc.comment, "/srv/lists/allowlist.yaml", now); got != tc.want {
			t.Errorf("signedComment(%q) = %q, want %q", tc.comment, got, tc.want)
		}
	}
}

// TestAllowlistSign_customComment signs with -t and checks the signature's
// trusted comment as the fetcher reads it.
func TestAllowlistSign_customComment(t *testing.T) {
	keygenLimits = remote.ScryptLimits{Ops: 32768, Mem: 16 << 20}
	dir := t.TempDir()
	pub, sec := filepath.Join(dir, "k.pub"), filepath.Join(dir, "k.key")
	var out, errb bytes.Buffer
	if code := runAllowlistKeygen([]string{"-p", pub, "-s", sec}, &out, &errb); code != 0 {
		t.Fatalf("keygen = %d: %s", code, errb.String())
	}
	file := filepath.Join(dir, "allowlist.yaml")
	if err := os.WriteFile(file, []byte("version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := runAllowlistSign([]string{"-s", sec, "-t", "release 12", file}, &out, &errb); code != 0 {
		t.Fatalf("sign = %d: %s", code, errb.String())
	}
	data, _ := os.ReadFile(file + ".minisig")
	sig, err := remote.ParseSignature(data)
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := sig.FileName(); !ok || name != "allowlist.yaml" {
		t.Errorf("file field %q, %v; want allowlist.yaml", name, ok)
	}
	if _, ok := sig.Timestamp(); !ok || !strings.Contains(sig.TrustedComment, "release 12") {
		t.Errorf("trusted comment %q: want a timestamp and the given comment", sig.TrustedComment)
	}
}
