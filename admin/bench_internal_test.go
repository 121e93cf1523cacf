package admin

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/passhash"
	"github.com/communes/kiosk/usage"
)

// benchSites are site names as in the shipped allowlist.
var benchSites = []string{"Service-Public", "CAF", "Ameli", "Impôts", "France Travail", "ANTS",
	"Info Retraite", "Assurance retraite", "MSA", "Mes droits sociaux", "FranceConnect", "Ville"}

// fillYear writes days × perDay sessions ending today.
func fillYear(tb testing.TB, f *fixture, days, perDay int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	today := dayStart(f.clock.Now(), testLoc)
	for d := range days {
		day := today.AddDate(0, 0, -d)
		for i := range perDay {
			start := day.Add(time.Duration(8*60+rng.IntN(10*60)) * time.Minute)
			dur := time.Duration(2+rng.IntN(44)) * time.Minute
			sites := []string{benchSites[rng.IntN(len(benchSites))]}
			if i%3 == 0 {
				sites = append(sites, benchSites[rng.IntN(len(benchSites))])
			}
			f.addSession(start, dur, usage.EndReasons[rng.IntN(len(usage.EndReasons))], sites...)
		}
	}
	if err := f.store.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// benchSeed is the filled store, made once per test binary run and copied
// for each benchmark run (make bench uses -count 5).
var benchSeed struct {
	once sync.Once
	dir  string
	path string
}

// seedStore returns the path of a usage file with 400 days × 200 sessions.
func seedStore(b *testing.B) string {
	benchSeed.once.Do(func() {
		f := newFixture(b)
		fillYear(b, f, 400, 200)
		dir, err := os.MkdirTemp("", "kiosk-admin-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchSeed.dir = dir
		data, err := os.ReadFile(filepath.Join(f.dir, "usage.db"))
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, "usage.db")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			b.Fatal(err)
		}
		benchSeed.path = p
	})
	if benchSeed.path == "" {
		b.Fatal("no seed store (an earlier run failed)")
	}
	return benchSeed.path
}

// BenchmarkDashboard_400Days renders the dashboard for a 400-day range of a
// store holding 400 days × 200 sessions (filling it, outside the timer and once per
// test binary, takes about two and a half minutes: one durable commit per
// session).
func BenchmarkDashboard_400Days(b *testing.B) {
	f := newFixtureFrom(b, seedStore(b))
	f.setPassword()
	id, _ := f.srv.sessions.create(mustHash(b, f))
	today := dayStart(f.clock.Now(), testLoc)
	target := fmt.Sprintf("/?from=%s&to=%s", today.AddDate(0, 0, -399).Format(dateLayout), today.Format(dateLayout))
	b.ResetTimer()
	for b.Loop() {
		r := httptest.NewRequest("GET", "http://127.0.0.1:8080"+target, nil)
		r.AddCookie(&http.Cookie{Name: "kiosk_session", Value: id})
		w := httptest.NewRecorder()
		f.srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s = %d", target, w.Code)
		}
	}
	if fi, err := os.Stat(filepath.Join(f.dir, "usage.db")); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "store-MiB")
	}
}

func mustHash(tb testing.TB, f *fixture) string {
	h, err := f.srv.creds.adminHash()
	if err != nil || h == "" {
		tb.Fatalf("adminHash: %q %v", h, err)
	}
	return h
}

// BenchmarkVerifyPassword is one login check with the real argon2id cost.
func BenchmarkVerifyPassword(b *testing.B) {
	saved := hashParams
	hashParams = passhash.Default
	defer func() { hashParams = saved }()
	h, err := hashPassword(testPassword)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := verifyPassword(h, testPassword); !ok || err != nil {
			b.Fatalf("verify = %v, %v", ok, err)
		}
	}
}
