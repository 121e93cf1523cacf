package maintenance_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/maintenance"
)

const aptHistory = `
Start-Date: 2026-12-05  10:02:11
Commandline: apt-get install -y cups
Requested-By: admin (1000)
Install: cups:amd64 (2.4.2-3+deb12u8), cups-daemon:amd64 (2.4.2-3+deb12u8, automatic)
End-Date: 2026-12-05  10:02:40

Start-Date: 2026-12-07  06:31:02
Commandline: /usr/bin/unattended-upgrade
Upgrade: libwebkit2gtk-4.0-37:amd64 (2.46.6-1~deb12u1, 2.48.3-1~deb12u1), libjavascriptcoregtk-4.0-18:amd64 (2.46.6-1~deb12u1, 2.48.3-1~deb12u1)
End-Date: 2026-12-07  06:32:40

Start-Date: 2026-12-07  09:00:00
Commandline: apt-get remove -y cups
Remove: cups:amd64 (2.4.2-3+deb12u8)
End-Date: 2026-12-07  09:00:05

Start-Date: 2026-12-08  06:30:00
Commandline: /usr/bin/unattended-upgrade
Upgrade: tzdata:all (2025a-0+deb12u1, 2025b-0+deb12u1)
End-Date: 2026-12-08  06:30:10
`

func TestParseAptHistory(t *testing.T) {
	testCases := []struct {
		name   string
		before time.Time
		want   maintenance.Update
		ok     bool
	}{{
		name:   "the WebKit run, not the later removal",
		before: time.Date(2026, 12, 7, 22, 0, 0, 0, time.Local),
		want: maintenance.Update{
			At:       time.Date(2026, 12, 7, 6, 31, 2, 0, time.Local),
			Packages: []string{"libwebkit2gtk-4.0-37", "libjavascriptcoregtk-4.0-18"},
		},
		ok: true,
	}, {
		name:   "an install counts",
		before: time.Date(2026, 12, 6, 0, 0, 0, 0, time.Local),
		want:   maintenance.Update{At: time.Date(2026, 12, 5, 10, 2, 11, 0, time.Local), Packages: []string{"cups", "cups-daemon"}},
		ok:     true,
	}, {
		name:   "nothing before",
		before: time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local),
	}}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := maintenance.ParseAptHistory(strings.NewReader(aptHistory), tc.before)
			if ok != tc.ok || !got.At.Equal(tc.want.At) || !slices.Equal(got.Packages, tc.want.Packages) {
				t.Errorf("ParseAptHistory(before %v) = %+v, %v; want %+v, %v", tc.before, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// Without apt's history (rotated away, or unreadable), the last run of
// unattended-upgrades before the time is used.
func TestLastUpdateBefore_UnattendedLog(t *testing.T) {
	dir := t.TempDir()
	ulog := filepath.Join(dir, "unattended-upgrades.log")
	const log = `2026-12-07 06:31:02,000 INFO Starting unattended upgrades script
2026-12-07 06:31:05,000 INFO Packages that will be upgraded: libjavascriptcoregtk-4.0-18 libwebkit2gtk-4.0-37
2026-12-07 06:32:40,500 INFO All upgrades installed
2026-12-08 06:20:00,000 INFO Starting unattended upgrades script
2026-12-08 06:20:05,000 INFO Packages that will be upgraded: tzdata
2026-12-08 06:20:30,000 INFO All upgrades installed
`
	if err := os.WriteFile(ulog, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing-history.log")
	got, ok := maintenance.LastUpdateBefore(missing, ulog, time.Date(2026, 12, 7, 23, 0, 0, 0, time.Local))
	if !ok || !got.At.Equal(time.Date(2026, 12, 7, 6, 31, 2, 0, time.Local)) || !slices.Equal(got.Packages, []string{"libjavascriptcoregtk-4.0-18", "libwebkit2gtk-4.0-37"}) {
		t.Errorf("LastUpdateBefore = %+v, %v; want the WebKit run of the 7th", got, ok)
	}
	// apt's history, when it names a run, wins.
	hist := filepath.Join(dir, "history.log")
	if err := os.WriteFile(hist, []byte(aptHistory), 0o600); err != nil {
		t.Fatal(err)
	}
	got, ok = maintenance.LastUpdateBefore(hist, ulog, time.Date(2026, 12, 8, 12, 0, 0, 0, time.Local))
	if !ok || !slices.Equal(got.Packages, []string{"tzdata"}) || !got.At.Equal(time.Date(2026, 12, 8, 6, 30, 0, 0, time.Local)) {
		t.Errorf("LastUpdateBefore with history = %+v, %v; want the tzdata run of apt's history", got, ok)
	}
	if _, ok := maintenance.LastUpdateBefore(filepath.Join(dir, "none-history.log"), filepath.Join(dir, "none.log"), time.Now()); ok {
		t.Error("LastUpdateBefore without any log found a run")
	}
}
