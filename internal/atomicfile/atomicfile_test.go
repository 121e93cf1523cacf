package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/communes/kiosk/internal/atomicfile"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials.json")
	for _, content := range []string{"first\n", "second, longer\n", ""} {
		if err := atomicfile.Write(path, []byte(content), 0o600); err != nil {
			t.Fatalf("Write(%q): %v", content, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("after Write(%q): %q, %v", content, got, err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %d entries (%v), want only the file: no temporary file left", len(entries), err)
	}
}

func TestWrite_MissingDirLeavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "agents.json")
	if err := atomicfile.Write(path, []byte("x"), 0o600); err == nil {
		t.Fatal("Write into a missing directory succeeded")
	}
}
