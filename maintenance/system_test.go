package maintenance_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/maintenance"
)

func TestParseUnattendedLog(t *testing.T) {
	const log = `2026-12-06 06:25:01,100 INFO Starting unattended upgrades script
2026-12-06 06:25:01,200 INFO Allowed origins are: origin=Debian,codename=bookworm-security,label=Debian-Security
2026-12-06 06:25:09,300 INFO No packages found that can be upgraded unattended and no pending auto-removals
2026-12-07 06:31:02,000 INFO Starting unattended upgrades script
2026-12-07 06:31:05,000 INFO Packages that will be upgraded: libjavascriptcoregtk-4.0-18 libwebkit2gtk-4.0-37
2026-12-07 06:31:05,001 INFO Writing dpkg log to /var/log/unattended-upgrades/unattended-upgrades-dpkg.log
2026-12-07 06:32:40,500 INFO All upgrades installed
`
	run, result, pkgs := maintenance.ParseUnattendedLog(strings.NewReader(log))
	if want := time.Date(2026, 12, 7, 6, 31, 2, 0, time.Local); !run.Equal(want) || result != "ok" ||
		!slices.Equal(pkgs, []string{"libjavascriptcoregtk-4.0-18", "libwebkit2gtk-4.0-37"}) {
		t.Errorf("ParseUnattendedLog = %v, %q, %v; want %v, ok, the two WebKit packages", run, result, pkgs, want)
	}
	_, result, _ = maintenance.ParseUnattendedLog(strings.NewReader(log + "2026-12-08 06:20:00,000 INFO Starting unattended upgrades script\n2026-12-08 06:20:30,000 ERROR Cache has broken packages, exiting\n"))
	if result != "Cache has broken packages, exiting" {
		t.Errorf("result after a failed run = %q, want the error line", result)
	}
}

func TestCountSimulatedUpgrades(t *testing.T) {
	out := "Reading package lists...\nInst libwebkit2gtk-4.0-37 [2.46.5-1~deb12u1] (2.46.6-1~deb12u1 Debian-Security:12/oldstable-security [amd64])\nInst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.12/oldstable [all])\nConf tzdata (2025b-0+deb12u1 Debian:12.12/oldstable [all])\n"
	if n := maintenance.CountSimulatedUpgrades(out); n != 2 {
		t.Errorf("CountSimulatedUpgrades = %d, want 2", n)
	}
}
