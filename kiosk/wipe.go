package kiosk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// profileSubdirs are made inside each fresh profile; the browser process's
// HOME, XDG_* and TMPDIR point at them.
var profileSubdirs = []string{"data", "cache", "config", "state", "tmp", "runtime"}

// newProfile creates a fresh private directory (mode 0700) under parent for
// one browser process.
func newProfile(parent string) (string, error) {
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return "", fmt.Errorf("creating profiles directory: %w", err)
	}
	dir, err := os.MkdirTemp(parent, "p-")
	if err != nil {
		return "", fmt.Errorf("creating profile: %w", err)
	}
	// MkdirTemp uses 0700 already; say it again in case of an odd umask.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("securing profile: %w", err)
	}
	for _, sub := range profileSubdirs {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			return "", fmt.Errorf("creating profile: %w", err)
		}
	}
	return dir, nil
}

// wipeProfile removes dir and checks that it is gone.
func wipeProfile(dir string) error {
	rmErr := os.RemoveAll(dir)
	_, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case rmErr != nil:
		return fmt.Errorf("removing profile %s: %w", dir, rmErr)
	case err != nil:
		return fmt.Errorf("checking profile %s: %w", dir, err)
	default:
		return fmt.Errorf("removing profile %s: still there", dir)
	}
}

// wipeLeftovers removes every profile left under parent by an earlier run
// (a power cut, a killed shell).
func wipeLeftovers(parent string) error {
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing profiles: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if err := wipeProfile(filepath.Join(parent, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// profileEnv returns base without the variables that locate user data, plus
// those that put them inside dir. XDG_RUNTIME_DIR is kept when set: the
// Wayland socket (cage) lives there.
func profileEnv(base []string, dir string) []string {
	drop := map[string]bool{
		"HOME": true, "XDG_DATA_HOME": true, "XDG_CACHE_HOME": true, "XDG_CONFIG_HOME": true,
		"XDG_STATE_HOME": true, "TMPDIR": true, "GSETTINGS_BACKEND": true, "NO_AT_BRIDGE": true,
		"http_proxy": true, "https_proxy": true, "HTTP_PROXY": true, "HTTPS_PROXY": true,
		"all_proxy": true, "ALL_PROXY": true, "no_proxy": true, "NO_PROXY": true,
	}
	runtimeDir := ""
	env := make([]string, 0, len(base)+8)
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		if k == "XDG_RUNTIME_DIR" {
			runtimeDir = v
		}
		if !drop[k] && k != "XDG_RUNTIME_DIR" {
			env = append(env, kv)
		}
	}
	if runtimeDir == "" {
		runtimeDir = filepath.Join(dir, "runtime")
	}
	return append(env,
		"HOME="+dir,
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"TMPDIR="+filepath.Join(dir, "tmp"),
		"XDG_RUNTIME_DIR="+runtimeDir,
		// No dconf writes, no accessibility bus: nothing outside the profile.
		"GSETTINGS_BACKEND=memory",
		"NO_AT_BRIDGE=1",
	)
}
