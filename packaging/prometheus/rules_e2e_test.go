//go:build e2e

// Package prometheus_test checks the shipped Prometheus rules with
// Debian's promtool (package prometheus): they load, and every alert's unit
// test in kiosk-alerts.test.yml passes (it fires, resolves, and has the
// terminal's name and severity), as do those of the recording rules
// (kiosk-rules.test.yml).
package prometheus_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func promtool(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("promtool"); err != nil {
		t.Fatal("promtool is missing: apt-get install prometheus (make test installs it)")
	}
	out, err := exec.Command("promtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestRules_Check(t *testing.T) {
	out := promtool(t, "check", "rules", "kiosk-rules.yml", "kiosk-alerts.yml")
	if !strings.Contains(out, "SUCCESS: 9 rules found") {
		t.Errorf("promtool check rules: want the 9 alerts\n%s", out)
	}
}

// TestRules_Test runs the unit tests and checks that each alert of
// kiosk-alerts.yml has one that expects it firing and one that expects it
// resolved (or quiet before it fires).
func TestRules_Test(t *testing.T) {
	promtool(t, "test", "rules", "kiosk-alerts.test.yml", "kiosk-alerts-stale.test.yml")

	alerts := readAll(t, "kiosk-alerts.yml")
	tests := readAll(t, "kiosk-alerts.test.yml") + readAll(t, "kiosk-alerts-stale.test.yml")
	names := regexp.MustCompile(`(?m)^\s+- alert: (\w+)$`).FindAllStringSubmatch(alerts, -1)
	if len(names) != 9 {
		t.Fatalf("found %d alerts in kiosk-alerts.yml, want 9", len(names))
	}
	// An alert test is "alertname: X" followed by exp_alerts (fires) or
	// by the next eval_time / test (nothing firing).
	blocks := regexp.MustCompile(`(?m)^\s+alertname: (\w+)\n((?:\s+(?:exp_alerts|- exp_labels|exp_annotations|summary).*\n)*)`).FindAllStringSubmatch(tests, -1)
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, b := range blocks {
		if strings.Contains(b[2], "exp_labels") {
			if !strings.Contains(b[2], "severity:") {
				t.Errorf("a test of %s expects no severity label", b[1])
			}
			fires[b[1]] = true
		} else {
			quiet[b[1]] = true
		}
	}
	for _, n := range names {
		if !fires[n[1]] || !quiet[n[1]] {
			t.Errorf("alert %s: tested firing %v, tested quiet (before or resolved) %v; want both", n[1], fires[n[1]], quiet[n[1]])
		}
	}
}

// TestRules_Recording runs the unit tests of the recording rules the
// dashboard reads: each terminal's status code, its day's sessions, its
// satisfied ratio, and the fleet's counts.
func TestRules_Recording(t *testing.T) {
	out := promtool(t, "test", "rules", "kiosk-rules.test.yml")
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules kiosk-rules.test.yml:\n%s", out)
	}
}

func readAll(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
