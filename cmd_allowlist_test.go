package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAllowlist writes content to a file in a temporary directory.
func writeAllowlist(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "allowlist.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const cliTestList = `version: 1
sites:
  - name: CAF
    home: https://www.caf.fr/
    hosts:
      - caf.fr
  - name: Impôts
    hosts: [.www.impots.gouv.fr, "example.org:8443"]
supervised:
  - name: Messagerie
    hosts: [laposte.net]
`

func TestRunAllowlist_check(t *testing.T) {
	good := writeAllowlist(t, cliTestList)
	bad := writeAllowlist(t, "version: 2\nsites:\n  - name: CAF\n    hots: [caf.fr]\n    hosts: [\"*.caf.fr\", https://ameli.fr/]\n")
	testCases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"ok", []string{"check", good}, 0, []string{good + ": ok (2 sites, 1 supervised, 4 patterns)\n"}, nil},
		{"shipped file", []string{"check", "allowlist.yaml"}, 0, []string{"allowlist.yaml: ok ("}, nil},
		{"every error", []string{"check", bad}, 1, nil, []string{
			bad + ":1:10: version 2 is not supported",
			bad + `:4:5: unknown key "hots"`,
			bad + `:5:13: "*.caf.fr": wildcards are not supported: write caf.fr`,
			bad + `:5:25: "https://ameli.fr/": write the host only`,
		}},
		{"missing file", []string{"check", filepath.Join(t.TempDir(), "none.yaml")}, 1, nil, []string{"reading allowlist"}},
		{"no file", []string{"check"}, 2, nil, []string{"expected exactly one FILE"}},
		{"two files", []string{"check", good, good}, 2, nil, []string{"expected exactly one FILE"}},
		{"help", []string{"check", "--help"}, 0, nil, []string{"usage: kiosk allowlist check"}},
		{"bad flag", []string{"check", "--nope", good}, 2, nil, []string{"flag provided but not defined"}},
		{"no subcommand", nil, 2, nil, []string{"usage:"}},
		{"unknown subcommand", []string{"verify", good}, 2, nil, []string{`unknown subcommand "verify"`}},
		{"allowlist help", []string{"--help"}, 0, []string{"kiosk allowlist check FILE", "kiosk allowlist sign"}, nil},
		{"sign is dispatched", []string{"sign", "--help"}, 0, nil, []string{"usage: kiosk allowlist sign"}},
		{"keygen is dispatched", []string{"keygen", "--help"}, 0, nil, []string{"usage: kiosk allowlist keygen"}},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			runAndCheck(t, tc.args, tc.wantCode, tc.wantStdout, tc.wantStderr)
		})
	}
}

func TestRunAllowlist_test(t *testing.T) {
	list := writeAllowlist(t, cliTestList)
	bad := writeAllowlist(t, "version: 1\nsites: []\n")
	testCases := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"allowed", []string{"test", list, "https://www.caf.fr/", "http://caf.fr:80/x"}, 0, []string{
			"allow https://www.caf.fr/  site=\"CAF\" pattern=\"caf.fr\" (line 6)\n",
			"allow http://caf.fr:80/x  site=\"CAF\" pattern=\"caf.fr\" (line 6)\n",
		}, nil},
		{"denied", []string{"test", list, "https://www.caf.fr/", "https://evilcaf.fr/"}, 1, []string{
			"allow https://www.caf.fr/  site=\"CAF\"",
			"deny https://evilcaf.fr/  (no pattern matches)\n",
		}, nil},
		{"exact", []string{"test", list, "https://impots.gouv.fr/"}, 1, []string{"deny https://impots.gouv.fr/  (no pattern matches)"}, nil},
		{"port", []string{"test", list, "https://example.org:8443/", "https://caf.fr:8443/"}, 1, []string{
			"allow https://example.org:8443/  site=\"Impôts\" pattern=\"example.org:8443\" (line 8)",
			"deny https://caf.fr:8443/  (port 8443: no pattern names it;",
		}, nil},
		{"scheme", []string{"test", list, "ftp://caf.fr/", "javascript:alert(1)"}, 1, []string{
			`deny ftp://caf.fr/  (scheme not allowed: "ftp"`,
			`deny javascript:alert(1)  (scheme not allowed: "javascript"`,
		}, nil},
		{"userinfo", []string{"test", list, "https://www.caf.fr@evil.example/"}, 1, []string{"deny https://www.caf.fr@evil.example/  (parsing URL: userinfo"}, nil},
		{"ip", []string{"test", list, "http://0x7f.1/"}, 1, []string{"deny http://0x7f.1/  (IP address 127.0.0.1: only an ips: entry"}, nil},
		{"supervised site, public session", []string{"test", list, "https://www.laposte.net/"}, 1, []string{
			`deny https://www.laposte.net/  (supervised sessions only: site="Messagerie" pattern="laposte.net" (line 11); add --supervised)`,
		}, nil},
		{"--supervised first", []string{"test", "--supervised", list, "https://www.laposte.net/"}, 0, []string{
			`allow https://www.laposte.net/  site="Messagerie" pattern="laposte.net" (line 11)`,
		}, nil},
		{"--supervised last", []string{"test", list, "https://www.laposte.net/", "--supervised"}, 0, []string{"allow https://www.laposte.net/"}, nil},
		{"-- ends flags", []string{"test", "--", list, "https://www.caf.fr/"}, 0, []string{"allow https://www.caf.fr/"}, nil},
		{"no URL", []string{"test", list}, 2, nil, []string{"expected FILE and at least one URL"}},
		{"invalid file", []string{"test", bad, "https://www.caf.fr/"}, 2, nil, []string{bad + ":2:1: no sites"}},
		{"missing file", []string{"test", filepath.Join(t.TempDir(), "x.yaml"), "https://www.caf.fr/"}, 2, nil, []string{"reading allowlist"}},
		{"help", []string{"test", "-h"}, 0, nil, []string{"usage: kiosk allowlist test", "-supervised"}},
		{"bad flag value", []string{"test", "--supervised=maybe", list, "https://www.caf.fr/"}, 2, nil, []string{"invalid boolean value"}},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			runAndCheck(t, tc.args, tc.wantCode, tc.wantStdout, tc.wantStderr)
		})
	}
}

// runAndCheck runs runAllowlist and checks its exit code and that stdout
// and stderr contain the given fragments.
func runAndCheck(t *testing.T, args []string, wantCode int, wantStdout, wantStderr []string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runAllowlist(args, &stdout, &stderr)
	if code != wantCode {
		t.Errorf("runAllowlist(%q) = %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, &stdout, &stderr)
	}
	for _, w := range wantStdout {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("runAllowlist(%q) stdout:\n%s\nwant it to contain %q", args, &stdout, w)
		}
	}
	for _, w := range wantStderr {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("runAllowlist(%q) stderr:\n%s\nwant it to contain %q", args, &stderr, w)
		}
	}
	if wantStdout == nil && stdout.Len() > 0 && wantCode != 0 {
		t.Errorf("runAllowlist(%q) wrote to stdout on failure:\n%s", args, &stdout)
	}
}
