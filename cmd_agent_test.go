package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/communes/kiosk/agent"
)

func TestAgentCommand(t *testing.T) {
	dir := t.TempDir()
	testCases := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"no command", nil, "", 2, "", "usage: kiosk agent"},
		{"unknown", []string{"grant"}, "", 2, "", "unknown command"},
		{"missing dir", []string{"list", "--data", filepath.Join(dir, "nope")}, "", 1, "", "not found"},
		{"empty list", []string{"list", "--data", dir}, "", 0, "Aucun agent", ""},
		{"add no role", []string{"add", "Marie", "--data", dir}, "482913\n482913\n", 1, "", "--role"},
		{"add no name", []string{"add", "--role", "agent", "--data", dir}, "", 2, "", "want one NAME"},
		{"pins differ", []string{"add", "Marie", "--role", "agent", "--data", dir}, "482913\n482914\n", 1, "", "diffèrent"},
		{"weak pin", []string{"add", "Marie", "--role", "agent", "--data", dir}, "123456\n123456\n", 1, "", "valeur refusée"},
		{"missing line", []string{"add", "Marie", "--role", "agent", "--data", dir}, "482913\n", 1, "", "missing line"},
		{"add agent", []string{"add", "Marie", "--role", "agent", "--data", dir}, "482913\r\n482913\r\n", 0, "créé", ""},
		{"add twice", []string{"add", "marie", "--role", "agent", "--data", dir}, "551902\n551902\n", 1, "", "déjà pris"},
		{"same pin", []string{"add", "--data", dir, "Ahmed", "--role=admin"}, "482913\n482913\nlong enough one\nlong enough one\n", 1, "", "déjà celui"},
		{"admin short pw", []string{"add", "Ahmed", "--role", "admin", "--data", dir}, "730461\n730461\nshort\nshort\n", 1, "", "valeur refusée"},
		{"add admin", []string{"add", "Ahmed", "--role", "admin", "--data", dir}, "730461\n730461\nlong enough one\nlong enough one\n", 0, "admin", ""},
		{"list", []string{"list", "--data", dir}, "", 0, "Ahmed", ""},
		{"reset unknown", []string{"reset-pin", "Paul", "--data", dir}, "615243\n615243\n", 1, "", "agent inconnu"},
		{"reset", []string{"reset-pin", "Marie", "--data", dir}, "615243\n615243\n", 0, "changé", ""},
		{"passwd", []string{"passwd", "Marie", "--data", dir}, "another long one\nanother long one\n", 0, "enregistré", ""},
		{"remove", []string{"remove", "Ahmed", "--data", dir}, "", 0, "supprimé", ""},
		{"remove again", []string{"remove", "Ahmed", "--data", dir}, "", 1, "", "agent inconnu"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := agentMain(tc.args, strings.NewReader(tc.stdin), &out, &errb)
			if code != tc.wantCode || !strings.Contains(out.String(), tc.wantOut) || !strings.Contains(errb.String(), tc.wantErr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tc.wantCode, tc.wantOut, tc.wantErr)
			}
			for _, secret := range []string{"482913", "730461", "long enough", "615243"} {
				if strings.Contains(out.String()+errb.String(), secret) {
					t.Errorf("output shows a secret: %q %q", out.String(), errb.String())
				}
			}
		})
	}
	st, err := agent.Open(filepath.Join(dir, agent.FileName))
	if err != nil {
		t.Fatal(err)
	}
	as, _ := st.List()
	if len(as) != 1 || as[0].Name != "Marie" || !as[0].HasPassword {
		t.Fatalf("accounts %+v, want Marie with a password", as)
	}
	if a, err := st.CheckPIN("615243"); err != nil || a.Name != "Marie" {
		t.Errorf("CheckPIN(new PIN) = %v, %v", a, err)
	}
	var out bytes.Buffer
	agentMain([]string{"list", "--data", dir}, strings.NewReader(""), &out, &out)
	if !strings.Contains(out.String(), "NAME") || !strings.Contains(out.String(), "yes") {
		t.Errorf("list output %q lacks the header or the password column", out.String())
	}
}

// TestAgentCommand_Concurrent adds accounts from several commands at
// once: none is lost.
func TestAgentCommand_Concurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pin := fmt.Sprintf("9%d3817\n", i)
			var out bytes.Buffer
			if code := agentMain([]string{"add", fmt.Sprintf("Agent %d", i), "--role", "agent", "--data", dir}, strings.NewReader(pin+pin), &out, &out); code != 0 {
				t.Errorf("add %d: %s", i, out.String())
			}
		}()
	}
	wg.Wait()
	b, err := os.ReadFile(filepath.Join(dir, agent.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), `"pin_hash"`); n != 4 {
		t.Errorf("%d accounts in the file after 4 concurrent adds, want 4", n)
	}
}
