package kiosk

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestProfile_NewAndWipe(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "profiles")
	dir, err := newProfile(parent)
	if err != nil {
		t.Fatalf("newProfile: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("profile mode = %o, want 700", perm)
	}
	other, err := newProfile(parent)
	if err != nil || other == dir {
		t.Fatalf("second newProfile = %q, %v; want a new directory", other, err)
	}
	deep := filepath.Join(dir, "data", "a", "b")
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(deep, "f"), []byte("x"), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := wipeProfile(dir); err != nil {
		t.Fatalf("wipeProfile: %v", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after wipe, Lstat = %v; want not exist", err)
	}
	if _, err := os.Lstat(other); err != nil {
		t.Errorf("wipe removed another profile: %v", err)
	}
}

func TestProfile_WipeLeftovers(t *testing.T) {
	parent := t.TempDir()
	for i := 0; i < 3; i++ {
		if _, err := newProfile(parent); err != nil {
			t.Fatal(err)
		}
	}
	if err := wipeLeftovers(parent); err != nil {
		t.Fatalf("wipeLeftovers: %v", err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 0 {
		t.Errorf("after wipeLeftovers: %d entries, err %v; want none", len(entries), err)
	}
	if err := wipeLeftovers(filepath.Join(parent, "missing")); err != nil {
		t.Errorf("wipeLeftovers(missing) = %v, want nil", err)
	}
}

func TestProfile_Env(t *testing.T) {
	base := []string{"PATH=/usr/bin", "HOME=/home/kiosk", "XDG_CACHE_HOME=/home/kiosk/.cache",
		"https_proxy=http://evil:1", "DISPLAY=:0", "XDG_RUNTIME_DIR=/run/user/1000"}
	env := profileEnv(base, "/p")
	get := func(k string) []string {
		var vs []string
		for _, kv := range env {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				vs = append(vs, v)
			}
		}
		return vs
	}
	testCases := []struct{ key, want string }{
		{"HOME", "/p"},
		{"XDG_DATA_HOME", "/p/data"},
		{"XDG_CACHE_HOME", "/p/cache"},
		{"XDG_CONFIG_HOME", "/p/config"},
		{"TMPDIR", "/p/tmp"},
		{"XDG_RUNTIME_DIR", "/run/user/1000"},
		{"DISPLAY", ":0"},
		{"PATH", "/usr/bin"},
	}
	for _, tc := range testCases {
		if got := get(tc.key); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s = %q, want [%q]", tc.key, got, tc.want)
		}
	}
	if got := get("https_proxy"); len(got) != 0 {
		t.Errorf("https_proxy kept: %q", got)
	}
	if got := profileEnv(nil, "/p"); !slices.Contains(got, "XDG_RUNTIME_DIR=/p/runtime") {
		t.Errorf("without XDG_RUNTIME_DIR, env = %q; want one in the profile", got)
	}
}
