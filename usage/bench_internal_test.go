package usage

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// benchZone and benchEnd are the calendar and the last day of the filled store.
var (
	benchZone = time.FixedZone("CET", 3600)
	benchEnd  = time.Date(2026, 6, 30, 18, 0, 0, 0, benchZone)
)

// fillYear fills a new store at path with days days of perDay sessions each, as the
// service would record them (one transaction per session end, a flush per day), and
// returns it open. The writes are not synced, to save time; the layout is the same.
func fillYear(tb testing.TB, path string, days, perDay int) *Store {
	tb.Helper()

	var now atomic.Pointer[time.Time]
	first := benchEnd.AddDate(0, 0, -days+1)
	now.Store(&first)
	s, err := Open(&Config{
		Path:          path,
		Now:           func() time.Time { return *now.Load() },
		Location:      benchZone,
		FlushInterval: -1,
	})
	if err != nil {
		tb.Fatal(err)
	}
	s.db.NoSync = true
	rng := rand.New(rand.NewPCG(3, 4))
	sites := []string{"CAF", "Ameli", "Impôts", "France Travail", "ANTS", "Service-Public", "La Poste",
		"Doctolib", "EDF", "Banque", "Mairie", "Préfecture"}
	langs := []string{"fr", "fr", "fr", "en", "ar", "es", "uk"}
	for d := range days {
		day := first.AddDate(0, 0, d)
		open := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, benchZone)
		now.Store(&open)
		for i := range perDay {
			start := open.Add(time.Duration(rng.IntN(9*3600)) * time.Second)
			length := time.Duration(1+rng.IntN(90)) * time.Minute
			idle := time.Duration(rng.IntN(int(length/time.Second)/4+1)) * time.Second
			visited := []string{sites[rng.IntN(len(sites))]}
			if i%3 == 0 {
				visited = append(visited, sites[rng.IntN(len(sites))])
			}
			s.Count(SessionStarted)
			s.Count(Counter(SatisfactionYes + Counter(rng.IntN(3))))
			if i%20 == 0 {
				s.Count(HelpRequest)
				s.Count(AgentUnlock)
			}
			for range 3 {
				n := rng.IntN(40)
				s.Blocked(fmt.Sprintf("cdn%d.example%d.net", n, n%7), "www."+fmt.Sprint(n%5)+".gouv.fr")
			}
			err = s.SessionEnded(Session{
				Start: start, End: start.Add(length), Active: length - idle, Idle: idle,
				Reason: EndReasons[rng.IntN(len(EndReasons))], Supervised: i%10 == 0,
				Sites: visited, Lang: langs[rng.IntN(len(langs))],
			})
			if err != nil {
				tb.Fatal(err)
			}
		}
		if err = s.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	s.db.NoSync = false

	return s
}

// fileSize returns the size of the file at path.
func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()

	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}

	return fi.Size()
}

func BenchmarkStore_Report400Days(b *testing.B) {
	path := filepath.Join(b.TempDir(), "usage.db")
	s := fillYear(b, path, 400, 200)
	defer func() { _ = s.Close() }()
	size := fileSize(b, path)
	b.Logf("400 days x 200 sessions: file %.2f MB", float64(size)/1e6)

	from := benchEnd.AddDate(0, 0, -399)
	r, err := s.Report(from, benchEnd)
	if err != nil {
		b.Fatal(err)
	}
	if r.Totals.Sessions != 400*200 || len(r.Days) != 400 {
		b.Fatalf("Sessions = %d over %d days, want %d over 400", r.Totals.Sessions, len(r.Days), 400*200)
	}

	b.Run("Report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Report(from, benchEnd); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size)/1e6, "file-MB")
	})
	b.Run("BlockedHosts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.BlockedHosts(from, benchEnd); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open", func(b *testing.B) {
		// Open checks the whole file before use: measure it on the year's file.
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			s2, err := Open(&Config{Path: path, Location: benchZone, FlushInterval: -1, Now: func() time.Time { return benchEnd }})
			if err != nil {
				b.Fatal(err)
			}
			if err = s2.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkStore_Blocked(b *testing.B) {
	s, err := Open(&Config{Path: filepath.Join(b.TempDir(), "usage.db"), FlushInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	hosts := make([]string, 64)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("tracker%d.example.com", i)
	}

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Blocked(hosts[i%len(hosts)], "www.caf.fr")
			i++
		}
	})
}

func BenchmarkStore_Count(b *testing.B) {
	s, err := Open(&Config{Path: filepath.Join(b.TempDir(), "usage.db"), FlushInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Count(HelpRequest)
		}
	})
}
