package kiosk

import (
	"bytes"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// --audio: on by default, off on request; `--audio` alone is on.
func TestAudioMode_Flag(t *testing.T) {
	for _, c := range []struct {
		args []string
		on   bool
	}{{nil, true}, {[]string{"--audio"}, true}, {[]string{"--audio=on"}, true}, {[]string{"--audio=off"}, false}, {[]string{"--audio=false"}, false}} {
		var m AudioMode
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.Var(&m, "audio", "")
		if err := fs.Parse(c.args); err != nil || m.On() != c.on {
			t.Errorf("%v: on=%v err=%v, want on=%v", c.args, m.On(), err, c.on)
		}
	}
	var m AudioMode
	if err := m.Set("loud"); err == nil {
		t.Error("--audio=loud accepted")
	}
}

// Read-aloud is on only with --audio on and espeak-ng in PATH; a missing
// espeak-ng is a warning.
func TestSpeechOn(t *testing.T) {
	var logs bytes.Buffer
	l := slog.New(slog.NewTextHandler(&logs, nil))
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	if speechOn(AudioOn, l) {
		t.Error("on without espeak-ng")
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "espeak-ng not found") {
		t.Errorf("no warning: %s", logs.String())
	}
	if err := os.WriteFile(filepath.Join(bin, "espeak-ng"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if !speechOn(AudioOn, l) || logs.Len() != 0 {
		t.Errorf("espeak-ng found: on=false or logged %s", logs.String())
	}
	if speechOn(AudioOff, l) {
		t.Error("on with --audio=off")
	}
}

// The browser processes get --speech when read-aloud is on, never on the
// out-of-order screen.
func TestSupervisor_SpeechFlag(t *testing.T) {
	s := &supervisor{conf: &Config{AdminURL: "http://127.0.0.1:8080", ProxyAddr: "127.0.0.1:3128", DataDir: "/var/lib/kiosk"}}
	has := func(f []string) bool { return slices.Contains(f, "--speech") }
	if has(s.browserFlags("")) {
		t.Error("--speech without read-aloud")
	}
	s.speech = true
	if !has(s.browserFlags("")) {
		t.Errorf("no --speech with read-aloud on: %q", s.browserFlags(""))
	}
	if has(s.browserFlags("wipe failed")) {
		t.Error("--speech on the out-of-order screen")
	}
}
