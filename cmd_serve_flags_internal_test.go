package main

import (
	"io"
	"strings"
	"testing"
)

func TestServeFlags_Procs(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	fs, c := newServeFlags(io.Discard)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.Procs != 1 {
		t.Errorf("default --procs = %d, want 1", c.Procs)
	}

	t.Setenv("GOMAXPROCS", "3")
	fs, c = newServeFlags(io.Discard)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.Procs != 0 {
		t.Errorf("--procs with GOMAXPROCS set = %d, want 0 (the variable decides)", c.Procs)
	}

	fs, c = newServeFlags(io.Discard)
	if err := fs.Parse([]string{"--procs", "-1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "--procs -1") {
		t.Errorf("validate(--procs -1) = %v, want an error naming the flag", err)
	}
}

// WCAG 2.2.1: the idle countdown leaves the resident at least 20 s.
func TestServeFlags_IdleCountdownAtLeast20s(t *testing.T) {
	for _, c := range []struct {
		arg string
		ok  bool
	}{{"30s", true}, {"20s", true}, {"19s", false}, {"4s", false}, {"0s", false}} {
		fs, f := newServeFlags(io.Discard)
		if err := fs.Parse([]string{"--idle-countdown", c.arg}); err != nil {
			t.Fatal(err)
		}
		err := f.validate()
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "--idle-countdown")) {
			t.Errorf("validate(--idle-countdown %s) = %v, want ok=%t", c.arg, err, c.ok)
		}
	}
}
