package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/admin"
	kusage "github.com/communes/kiosk/usage"
)

func TestStats(t *testing.T) {
	dir := t.TempDir()
	loc := time.FixedZone("CET", 3600)
	now := func() time.Time { return time.Date(2026, 11, 25, 15, 0, 0, 0, loc) }
	st, err := kusage.Open(&kusage.Config{Path: filepath.Join(dir, "usage.db"), FlushInterval: -1, Now: now, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	for i, d := range []time.Duration{5 * time.Minute, 15 * time.Minute, 25 * time.Minute} {
		s := start.Add(time.Duration(i) * time.Hour)
		if err := st.SessionEnded(kusage.Session{Start: s, End: s.Add(d), Reason: kusage.EndUser, Sites: []string{"CAF"}}); err != nil {
			t.Fatal(err)
		}
	}
	tokenFile := filepath.Join(dir, "api.token")
	if err := os.WriteFile(tokenFile, []byte("00112233445566778899aabbccddeeff\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	srv, err := admin.New(&admin.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: st,
		Credentials: filepath.Join(dir, admin.CredentialsFileName), APITokenFile: tokenFile, Location: loc, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	badToken := filepath.Join(dir, "bad.token")
	os.WriteFile(badToken, []byte("ffffffffffffffffffffffffffffffff"), 0o600)

	testCases := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"text", []string{"--from", "2026-11-24", "--to", "2026-11-25"}, 0,
			[]string{"Période : du 2026-11-24 au 2026-11-25", "Sessions terminées           3", "Durée médiane                15 min", "CAF"}, ""},
		{"csv", []string{"--from", "2026-11-24", "--to", "2026-11-25", "--csv"}, 0,
			[]string{"\ufeffDate;Sessions terminées;", "\r\n2026-11-24;3;0;0;45;15;", "\r\n2026-11-25;0;"}, ""},
		{"today", nil, 0, []string{"du 2026-11-25 au 2026-11-25"}, ""},
		{"bad date", []string{"--from", "24/11/2026"}, 2, nil, "AAAA-MM-JJ"},
		{"wrong token", []string{"--token-file", badToken}, 1, nil, "401"},
		{"no token file", []string{"--token-file", filepath.Join(dir, "none")}, 1, nil, "is the service running"},
		{"no service", []string{"--admin", "http://127.0.0.1:1"}, 1, nil, "is kiosk serve running"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--admin", hs.URL, "--token-file", tokenFile}, tc.args...)
			var out, errb bytes.Buffer
			code := runStats(args, &out, &errb)
			if code != tc.wantCode || !strings.Contains(errb.String(), tc.wantErr) {
				t.Fatalf("exit %d stderr %q, want %d and %q", code, errb.String(), tc.wantCode, tc.wantErr)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
