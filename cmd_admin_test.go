package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/admin"
	kusage "github.com/communes/kiosk/usage"
)

func TestAdminPasswd(t *testing.T) {
	dir := t.TempDir()
	// The service holds the usage store's lock: passwd must still work.
	st, err := kusage.Open(&kusage.Config{Path: filepath.Join(dir, "usage.db"), FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	testCases := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantErr  string
	}{
		{"no subcommand", nil, "", 2, "usage: kiosk admin passwd"},
		{"unknown subcommand", []string{"reset"}, "", 2, "usage"},
		{"missing dir", []string{"passwd", "--data", filepath.Join(dir, "nope")}, "", 1, "not found"},
		{"differ", []string{"passwd", "--data", dir}, "long enough one\nlong enough two\n", 1, "pas identiques"},
		{"short", []string{"passwd", "--data", dir}, "short\nshort\n", 1, "au moins 10"},
		{"one line", []string{"passwd", "--data", dir}, "long enough one\n", 1, "two lines"},
		{"ok", []string{"passwd", "--data", dir}, "long enough one\r\nlong enough one\r\n", 0, ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := adminMain(tc.args, strings.NewReader(tc.stdin), &out, &errb)
			if code != tc.wantCode || !strings.Contains(errb.String(), tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errb.String(), tc.wantCode, tc.wantErr)
			}
		})
	}
	path := filepath.Join(dir, admin.CredentialsFileName)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials: %v, mode %v; want 0600", err, fi)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte("$argon2id$v=19$m=19456,t=2,p=1$")) || bytes.Contains(b, []byte("long enough")) {
		t.Errorf("credentials file does not hold an argon2id hash only:\n%s", b)
	}
}
