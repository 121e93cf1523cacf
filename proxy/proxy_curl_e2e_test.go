//go:build e2e

package proxy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestProxy_Curl drives the proxy with Debian's curl, a client no one here
// wrote. The proxy runs in-process so that its Resolver and Dial seams map
// the test names to the loopback origin. It fails when curl is missing.
func TestProxy_Curl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required for this test (apt-get install curl): %v", err)
	}
	e := newEnv(t, nil)
	ca := filepath.Join(t.TempDir(), "origin.pem")
	if err := os.WriteFile(ca, e.origin.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		t.Helper()
		base := []string{"--silent", "--show-error", "--max-time", "10", "--proxy", e.url.String(),
			"--noproxy", "", "--output", "-", "--write-out", "\n%{http_code} %{http_connect}"}
		cmd := exec.Command(curl, append(base, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}

	out, code := run("http://www.caf.fr/curl")
	if code != 0 || !strings.HasPrefix(out, "hello from www.caf.fr /curl\n200 ") {
		t.Fatalf("curl allowed http: exit %d, output %q", code, out)
	}
	out, code = run("--cacert", ca, "https://www.caf.fr/tls")
	if code != 0 || !strings.HasPrefix(out, "hello from www.caf.fr /tls\n200 200") {
		t.Fatalf("curl allowed https: exit %d, output %q", code, out)
	}
	out, code = run("-H", "Accept: text/html", "http://www.example.com/")
	if code != 0 || !strings.Contains(out, "Demander à un agent") || !strings.HasSuffix(out, "\n403 000") {
		t.Fatalf("curl denied http: exit %d, output %q", code, out)
	}
	out, code = run("--cacert", ca, "https://www.example.com/")
	if code == 0 || !strings.Contains(out, "403") {
		t.Fatalf("curl denied https: exit %d, output %q, want a failed CONNECT with 403", code, out)
	}
	out, code = run("http://127.0.0.1/")
	if code != 0 || !strings.HasSuffix(out, "\n403 000") {
		t.Fatalf("curl IP literal: exit %d, output %q", code, out)
	}
	if n := len(e.origin.requests()); n != 2 {
		t.Fatalf("origin saw %d requests, want 2 (the allowed ones)", n)
	}
}
