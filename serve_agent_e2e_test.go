//go:build e2e

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/communes/kiosk/internal/testnet"
)

// TestServe_AgentOpensSites drives the real service the way the shell does
// (local API with the per-boot token) and checks, through the real proxy,
// that an agent's PIN opens the supervised sites and an overridden host for
// that session only.
func TestServe_AgentOpensSites(t *testing.T) {
	ns := testnet.New(t, "www.caf.fr", "www.laposte.net", "www.ameli.fr")
	startOrigin(t, ns)
	dir := t.TempDir()
	al := filepath.Join(dir, "allowlist.yaml")
	list := testAllowlist + "supervised:\n  - name: Messagerie\n    hosts: [laposte.net]\n"
	if err := os.WriteFile(al, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o750); err != nil {
		t.Fatal(err)
	}
	const pin = "583920"
	add := ns.Command(kioskBinary(t), "agent", "add", "Marie", "--role", "agent", "--data", data)
	add.Stdin = strings.NewReader(pin + "\n" + pin + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("kiosk agent add: %v\n%s", err, out)
	}
	startServe(t, ns, al, "--data", data, "--mode", "mixed")

	tok, err := os.ReadFile(filepath.Join(data, "api.token"))
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{DialContext: ns.DialContext}}
	call := func(path string, body any, want int) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", "http://127.0.0.1:8080"+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d %s, want %d", path, resp.StatusCode, raw, want)
		}
		var st map[string]any
		_ = json.Unmarshal(raw, &st)
		return st
	}
	expect := func(url, want string) {
		t.Helper()
		if code, _ := curl(t, ns, url); code != want {
			t.Fatalf("%s: %s, want %s", url, code, want)
		}
	}

	// A self-service session: supervised sites and unlisted hosts refused.
	call("/api/session/start", map[string]any{"lang": "fr"}, 200)
	expect("http://www.laposte.net/", "403")
	expect("http://www.ameli.fr/", "403")
	call("/api/override", map[string]any{"pin": "000000", "host": "www.ameli.fr"}, 403)
	expect("http://www.ameli.fr/", "403")
	st := call("/api/override", map[string]any{"pin": pin, "host": "www.ameli.fr"}, 200)
	if !strings.Contains(toJSON(st["overrides"]), "www.ameli.fr") {
		t.Errorf("state overrides = %v, want www.ameli.fr", st["overrides"])
	}
	expect("http://www.ameli.fr/", "200")
	expect("http://www.laposte.net/", "403") // an override opens that host only

	// The agent joins: the supervised sites open.
	st = call("/api/session/unlock", map[string]any{"pin": pin, "lang": "fr"}, 200)
	if st["supervised"] != true || st["agent"] != "Marie" {
		t.Errorf("after unlock: supervised=%v agent=%v", st["supervised"], st["agent"])
	}
	expect("http://www.laposte.net/", "200")

	// The session ends: everything it opened closes again.
	call("/api/session/end", map[string]any{"reason": "user"}, 200)
	expect("http://www.laposte.net/", "403")
	expect("http://www.ameli.fr/", "403")
	expect("http://www.caf.fr/", "200")
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
