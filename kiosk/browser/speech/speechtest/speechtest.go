// Package speechtest measures read-aloud's audio for tests (those of
// kiosk/browser/speech and of the shell): espeak-ng's WAV files, measured
// with sox.
package speechtest

import (
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// NeedTools fails the test (never skips it: CI installs them,
// scripts/deps.sh) when espeak-ng or sox is missing.
func NeedTools(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is missing (scripts/deps.sh test installs it): %v", bin, err)
		}
	}
}

// Stat returns the length in seconds and the RMS amplitude of a WAV file
// (sox FILE -n stat).
func Stat(t testing.TB, path string) (length, rms float64) {
	t.Helper()
	out, err := exec.Command("sox", path, "-n", "stat").CombinedOutput()
	if err != nil {
		t.Fatalf("sox %s: %v %s", path, err, out)
	}
	get := func(name string) float64 {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `:\s+([0-9.]+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("sox stat of %s lacks %q:\n%s", path, name, out)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	return get("Length (seconds)"), get("RMS     amplitude")
}
