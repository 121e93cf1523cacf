package monitor_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/communes/kiosk/internal/fakeclock"
	"github.com/communes/kiosk/monitor"
)

// clock is the tests' settable clock.
type clock = fakeclock.Clock

// newClock returns a clock that reads t.
func newClock(t time.Time) *clock { return fakeclock.New(t) }

// scrape gathers col through a pedantic registry and returns its series as
// `name{l="v",...}` → value.
func scrape(t *testing.T, col prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(col); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(ls)
			out[mf.GetName()+"{"+strings.Join(ls, ",")+"}"] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestNew_needsTerminal(t *testing.T) {
	if _, err := monitor.New(&monitor.Config{}); err == nil {
		t.Error("New without Terminal: no error")
	}
}

// TestCollector_Facts reads every fact at scrape time: absent before it is
// known, then its value.
func TestCollector_Facts(t *testing.T) {
	clk := newClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	var (
		wipes   monitor.WipeTracker
		shell   monitor.ShellTracker
		printer monitor.PrinterTracker
	)
	why := ""
	var mu sync.Mutex
	list := []byte("version: 1\nsites: []\n")
	remote := monitor.RemoteStatus{}
	col, err := monitor.New(&monitor.Config{
		Terminal: "Mairie annexe Nord", Version: "1.2.3",
		OutOfOrder: func() string { mu.Lock(); defer mu.Unlock(); return why },
		Wipes:      &wipes, Shell: &shell, Printer: &printer,
		Allowlist: func() ([]byte, string) { mu.Lock(); defer mu.Unlock(); return list, "url" },
		Remote:    func() monitor.RemoteStatus { mu.Lock(); defer mu.Unlock(); return remote },
		DataDir:   t.TempDir(),
		Now:       clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(list)
	got := scrape(t, col)
	for series, want := range map[string]float64{
		`kiosk_terminal_info{terminal="Mairie annexe Nord",version="1.2.3"}`: 1,
		`kiosk_shell_connected{}`: 0,
		`kiosk_allowlist_info{sha256="` + hex.EncodeToString(sum[:]) + `",source="url"}`: 1,
		`kiosk_allowlist_remote_last_success_timestamp_seconds{}`:                        0,
		`kiosk_allowlist_remote_failing{}`:                                               0,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	for _, absent := range []string{"kiosk_terminal_out_of_order_info", "kiosk_wipe_last_success", "kiosk_printer_failing", "kiosk_shell_last_seen_timestamp_seconds"} {
		for s := range got {
			if strings.HasPrefix(s, absent+"{") {
				t.Errorf("%s is exported before the fact is known", s)
			}
		}
	}
	if free, size := got["kiosk_data_free_bytes{}"], got["kiosk_data_size_bytes{}"]; free <= 0 || size < free {
		t.Errorf("data disk: free %v of %v, want 0 < free <= size", free, size)
	}

	// The facts arrive.
	mu.Lock()
	why = "removing profile: permission denied"
	list = []byte("version: 1\nsites: [] # v2\n")
	remote = monitor.RemoteStatus{LastSuccess: clk.Now().Add(-time.Hour), LastCheck: clk.Now(), Failing: true}
	mu.Unlock()
	wipes.Record(clk.Now(), false)
	printer.Report(monitor.PrinterReport{At: clk.Now(), Failing: true, Queued: 2})
	end := shell.Begin(clk.Now)
	sum = sha256.Sum256([]byte("version: 1\nsites: [] # v2\n"))
	now := float64(clk.Now().Unix())
	got = scrape(t, col)
	for series, want := range map[string]float64{
		`kiosk_terminal_out_of_order_info{reason="removing profile: permission denied"}`: 1,
		`kiosk_wipe_last_success{}`:           0,
		`kiosk_wipe_last_timestamp_seconds{}`: now,
		`kiosk_shell_connected{}`:             1,
		`kiosk_printer_failing{}`:             1,
		`kiosk_printer_queued_jobs{}`:         2,
		`kiosk_allowlist_info{sha256="` + hex.EncodeToString(sum[:]) + `",source="url"}`: 1,
		`kiosk_allowlist_remote_last_success_timestamp_seconds{}`:                        now - 3600,
		`kiosk_allowlist_remote_last_check_timestamp_seconds{}`:                          now,
		`kiosk_allowlist_remote_failing{}`:                                               1,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}

	// The shell's poll ends: still connected within the grace, not after.
	end()
	clk.Add(monitor.DefaultShellGrace - time.Second)
	if v := scrape(t, col)["kiosk_shell_connected{}"]; v != 1 {
		t.Errorf("shell_connected %v just after a poll ended, want 1", v)
	}
	clk.Add(2 * time.Second)
	if v := scrape(t, col)["kiosk_shell_connected{}"]; v != 0 {
		t.Errorf("shell_connected %v with no poll for longer than the grace, want 0", v)
	}
	mu.Lock()
	why = ""
	mu.Unlock()
	wipes.Record(clk.Now(), true)
	got = scrape(t, col)
	if v := got["kiosk_wipe_last_success{}"]; v != 1 {
		t.Errorf("wipe_last_success = %v after a good wipe, want 1", v)
	}
	for s := range got {
		if strings.HasPrefix(s, "kiosk_terminal_out_of_order_info{") {
			t.Errorf("%s still exported once back in order", s)
		}
	}
}

// BenchmarkCollector_Gather measures a scrape of the terminal's facts.
func BenchmarkCollector_Gather(b *testing.B) {
	list := []byte(strings.Repeat("# allowlist line\n", 2000))
	col, err := monitor.New(&monitor.Config{
		Terminal: "Mairie", Version: "1", OutOfOrder: func() string { return "" },
		Wipes: &monitor.WipeTracker{}, Shell: &monitor.ShellTracker{}, Printer: &monitor.PrinterTracker{},
		Allowlist: func() ([]byte, string) { return list, "file" }, DataDir: b.TempDir(),
	})
	if err != nil {
		b.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(col)
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
