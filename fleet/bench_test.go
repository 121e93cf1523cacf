package fleet_test

import (
	"context"
	"testing"
	"time"

	"github.com/communes/kiosk/fleet"
)

// BenchmarkClient_Fetch10 reads a month of 10 terminals (real admin pages on
// real usage stores, 30 sessions a day each) over TLS on loopback and builds
// the table, as `kiosk report` does. "cold-s" is the first report, when
// each terminal runs its argon2id check of the password (all ten on this
// one machine); later reports reuse each terminal's check.
func BenchmarkClient_Fetch10(b *testing.B) {
	var terms []*terminal
	for i := range 10 {
		terms = append(terms, newTerminal(b, "Borne "+string(rune('A'+i)), usageOf{sessions: 30 * 20, yes: 100, help: 10,
			sites: []string{"CAF", "Impôts", "Ville"}}))
	}
	conf := configFor(b, terms...)
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local), time.Date(2026, 11, 30, 0, 0, 0, 0, time.Local)
	client := &fleet.Client{}
	report := func() {
		res := client.Fetch(context.Background(), conf.Terminals, "2026-11-01", "2026-11-30")
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		if tab := fleet.NewTable(from, to, res); tab.Missing != 0 {
			b.Fatalf("%d terminals missing", tab.Missing)
		}
	}
	start := time.Now()
	report()
	cold := time.Since(start)
	for b.Loop() {
		report()
	}
	b.ReportMetric(cold.Seconds(), "cold-s")
}
