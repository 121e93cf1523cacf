package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReportDays(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.Local)
	testCases := []struct {
		from, to, want string // want "FROM..TO" or "error"
	}{
		{"", "", "2026-11-01..2026-11-30"},
		{"2026-02-01", "", "2026-02-01..2026-02-28"},
		{"2026-11-03", "2026-11-05", "2026-11-03..2026-11-05"},
		{"2026-11-05", "2026-11-03", "error"},
		{"01/11/2026", "", "error"},
		{"2026-11-01", "demain", "error"},
	}
	for _, tc := range testCases {
		f, to, err := reportDays(tc.from, tc.to, now)
		got := "error"
		if err == nil {
			got = f.Format(time.DateOnly) + ".." + to.Format(time.DateOnly)
		}
		if got != tc.want {
			t.Errorf("reportDays(%q, %q) = %s (%v), want %s", tc.from, tc.to, got, err, tc.want)
		}
	}
}

// TestRunReport_badInput: bad flags and config files stop with status 2
// before any terminal is asked.
func TestRunReport_badInput(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "report.yaml")
	if err := os.WriteFile(conf, []byte("password: x\nterminals:\n  - url: https://a:8443\n    fingerprint: '"+strings.Repeat("ab", 32)+"'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("terminals:\n  - url: http://a:8443\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	testCases := []struct {
		name string
		args []string
		want string
	}{
		{"bad date", []string{"--config", conf, "--from", "novembre"}, "bad --from"},
		{"missing config", []string{"--config", filepath.Join(dir, "none.yaml")}, "reading report config"},
		{"invalid config", []string{"--config", bad}, "want https://host[:port]"},
		{"unknown terminal", []string{"--config", conf, "--terminal", "https://b:8443"}, "not in the config file"},
		{"argument", []string{"--config", conf, "extra"}, "unexpected argument"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := runReport(tc.args, &out, &errb); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
				t.Errorf("stderr %q (stdout %d bytes), want %q and no report", errb.String(), out.Len(), tc.want)
			}
		})
	}
}
