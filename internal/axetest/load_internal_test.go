package axetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoad_FailsClearly: a missing axe.min.js, or one of another version
// than scripts/deps.sh pins, is an error that says what to run; the
// pinned version loads, from $KIOSK_AXE_CORE as a file or a directory.
func TestLoad_FailsClearly(t *testing.T) {
	want, err := pinnedVersion()
	if err != nil || want == "" {
		t.Fatalf("pinnedVersion() = %q, %v", want, err)
	}
	dir := t.TempDir()
	write := func(name, version string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("/*! axe v"+version+"\n * Copyright */\nwindow.axe = {};"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	testCases := []struct {
		name, env, wantErr string
	}{
		{"missing", filepath.Join(dir, "nothing.js"), "scripts/deps.sh test"},
		{"other version", write("old.js", "3.5.0"), `version "3.5.0", scripts/deps.sh pins ` + want},
		{"pinned, file", write("axe.min.js", want), ""},
		{"pinned, directory", dir, ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvPath, tc.env)
			e, err := load()
			switch {
			case tc.wantErr == "" && (err != nil || e.Version != want):
				t.Errorf("load() = %+v, %v; want version %s", e, err, want)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("load() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
