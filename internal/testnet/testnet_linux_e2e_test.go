//go:build e2e

package testnet_test

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/testnet"
)

// TestNS_Isolated checks that a listener inside the namespace is reached from
// inside (by the test and by a child process resolving a test name through
// the namespace's hosts file) and not from the host.
func TestNS_Isolated(t *testing.T) {
	ns := testnet.New(t, "www.caf.fr")
	ln, err := ns.Listen("tcp", testnet.OriginAddr+":80")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "inside") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	c := &http.Client{Transport: &http.Transport{DialContext: ns.DialContext}}
	resp, err := c.Get("http://" + testnet.OriginAddr + "/")
	if err != nil {
		t.Fatalf("GET inside: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "inside" {
		t.Fatalf("body = %q, want inside", b)
	}

	out, err := ns.Command("curl", "-s", "http://www.caf.fr/").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "inside") {
		t.Fatalf("curl inside the namespace: %v %q", err, out)
	}

	// The address lives on the namespace's lo only (never dial it from the
	// host: outside the namespace it is a real, foreign address).
	host, err := exec.Command("ip", "-o", "addr", "show").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(host), testnet.OriginAddr) {
		t.Fatalf("%s is configured in the host namespace:\n%s", testnet.OriginAddr, host)
	}
	ss, err := ns.Command("ss", "-Hltn").Output()
	if err != nil || !strings.Contains(string(ss), testnet.OriginAddr+":80") {
		t.Fatalf("listener not inside the namespace: %v\n%s", err, ss)
	}
}
