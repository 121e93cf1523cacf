package main

import (
	"io"
	"strings"
	"testing"
)

func TestCheckTerminalName(t *testing.T) {
	testCases := []struct {
		name string
		ok   bool
	}{
		{"Mairie annexe Nord", true},
		{"CCAS — Salle 2", true},
		{"", false},
		{"   ", false},
		{"tab\there", false},
		{"new\nline", false},
		{strings.Repeat("é", 64), true},
		{strings.Repeat("é", 65), false},
		{"\xff", false},
	}
	for _, tc := range testCases {
		if err := checkTerminalName(tc.name); (err == nil) != tc.ok {
			t.Errorf("checkTerminalName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// TestServeFlags_terminalName: the default is the host name, and a bad
// name is refused before the service starts.
func TestServeFlags_terminalName(t *testing.T) {
	fs, c := newServeFlags(io.Discard)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.TerminalName != defaultTerminalName() || c.TerminalName == "" {
		t.Errorf("default --terminal-name = %q, want the host name %q", c.TerminalName, defaultTerminalName())
	}
	// The package's /etc/default/kiosk sets the environment variable
	// (systemd splits $KIOSK_ARGS at spaces).
	t.Setenv("KIOSK_TERMINAL_NAME", "Mairie annexe Nord")
	fs, c = newServeFlags(io.Discard)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.TerminalName != "Mairie annexe Nord" {
		t.Errorf("--terminal-name with KIOSK_TERMINAL_NAME set = %q, want %q", c.TerminalName, "Mairie annexe Nord")
	}
	fs, c = newServeFlags(io.Discard)
	if err := fs.Parse([]string{"--terminal-name", "a\x00b"}); err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "--terminal-name") {
		t.Errorf("validate() = %v, want a --terminal-name error", err)
	}
}
