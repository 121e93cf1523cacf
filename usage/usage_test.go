package usage_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without the system database

	"github.com/communes/kiosk/internal/fakeclock"
	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/usage"
	"go.etcd.io/bbolt"
)

// zone is the calendar used by the tests.
var zone = time.FixedZone("CET", 3600)

// day0 is the first test day, at noon.
var day0 = time.Date(2026, 3, 10, 12, 0, 0, 0, zone)

// clock is the tests' settable clock.
type clock = fakeclock.Clock

// newClock returns a clock that reads t.
func newClock(t time.Time) *clock { return fakeclock.New(t) }

// newConfig returns a config for a store in a new temp dir, with no flush loop.
func newConfig(t testing.TB, clk *clock) *usage.Config {
	t.Helper()

	return &usage.Config{
		Path:          filepath.Join(t.TempDir(), "usage.db"),
		Now:           clk.Now,
		Location:      zone,
		FlushInterval: -1,
		OpenTimeout:   100 * time.Millisecond,
	}
}

// open opens c and closes the store at the end of the test.
func open(t testing.TB, c *usage.Config) *usage.Store {
	t.Helper()

	s, err := usage.Open(c)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	return s
}

// report returns the report of day d alone.
func report(t testing.TB, s *usage.Store, d time.Time) *usage.Report {
	t.Helper()

	r, err := s.Report(d, d)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if len(r.Days) != 1 {
		t.Fatalf("Report(%v) has %d days, want 1", d, len(r.Days))
	}

	return r
}

// fileSum returns the SHA-256 of a file.
func fileSum(t testing.TB, path string) [32]byte {
	t.Helper()

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	return sha256.Sum256(b)
}

func TestStore_CountRoundTrip(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[usage.Counter]int{
		usage.SessionStarted: 5, usage.HelpRequest: 2, usage.AgentUnlock: 1, usage.Extension: 3,
		usage.Override: 1, usage.WipeFailure: 1, usage.SatisfactionYes: 4, usage.SatisfactionPartly: 2,
		usage.SatisfactionNo: 1, usage.Print: 6,
	}
	for k, n := range counts {
		for range n {
			s.Count(k)
		}
	}
	s.Count(usage.Counter(200)) // unknown: ignored
	if err = s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, c)
	got := report(t, s, day0).Totals
	want := []struct {
		name string
		got  uint64
		want int
	}{
		{"SessionsStarted", got.SessionsStarted, 5},
		{"HelpRequests", got.HelpRequests, 2},
		{"AgentUnlocks", got.AgentUnlocks, 1},
		{"Extensions", got.Extensions, 3},
		{"Overrides", got.Overrides, 1},
		{"WipeFailures", got.WipeFailures, 1},
		{"SatisfactionYes", got.SatisfactionYes, 4},
		{"SatisfactionPartly", got.SatisfactionPartly, 2},
		{"SatisfactionNo", got.SatisfactionNo, 1},
		{"Prints", got.Prints, 6},
	}
	for _, w := range want {
		if w.got != uint64(w.want) {
			t.Errorf("after reopen, %s = %d, want %d", w.name, w.got, w.want)
		}
	}
}

func TestStore_UnflushedVisible(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	s.Count(usage.HelpRequest)
	s.Blocked("tracker.example", "www.caf.fr")
	if got := report(t, s, day0).Totals; got.HelpRequests != 1 || got.BlockedRequests != 1 {
		t.Fatalf("before flush: HelpRequests = %d, BlockedRequests = %d, want 1, 1", got.HelpRequests, got.BlockedRequests)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Count(usage.HelpRequest)
	s.Blocked("tracker.example", "www.caf.fr")
	if got := report(t, s, day0).Totals; got.HelpRequests != 2 || got.BlockedRequests != 2 {
		t.Fatalf("flushed + pending: HelpRequests = %d, BlockedRequests = %d, want 2, 2", got.HelpRequests, got.BlockedRequests)
	}
	hosts, err := s.BlockedHosts(day0, day0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 1 || hosts[0].Count != 2 || hosts[0].Host != "tracker.example" || hosts[0].From != "www.caf.fr" {
		t.Fatalf("BlockedHosts = %+v, want tracker.example from www.caf.fr, 2", hosts)
	}
	if hosts[0].LastDay != "2026-03-10" || hosts[0].Days != 1 || hosts[0].Sessions != 1 {
		t.Errorf("LastDay, Days, Sessions = %q, %d, %d, want 2026-03-10, 1, 1 (one session, one day)",
			hosts[0].LastDay, hosts[0].Days, hosts[0].Sessions)
	}
}

func TestStore_Sessions(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	start := time.Date(2026, 3, 10, 9, 15, 0, 0, zone)
	sessions := []usage.Session{
		{Start: start, End: start.Add(10 * time.Minute), Active: 8 * time.Minute, Idle: 2 * time.Minute,
			Reason: usage.EndUser, Sites: []string{"CAF", "CAF", "Ameli"}, Lang: "fr"},
		{Start: start.Add(time.Hour), End: start.Add(time.Hour + 20*time.Minute + 40*time.Second), Active: 15 * time.Minute,
			Idle: 5 * time.Minute, Reason: usage.EndIdle, Sites: []string{"Ameli"}, Lang: "EN"},
		{Start: start.Add(2 * time.Hour), End: start.Add(2*time.Hour + 45*time.Minute), Active: 45 * time.Minute,
			Reason: usage.EndAgent, Supervised: true, Lang: "<script>"},
	}
	for _, r := range sessions {
		if err := s.SessionEnded(r); err != nil {
			t.Fatalf("SessionEnded: %v", err)
		}
	}
	err := s.SessionEnded(usage.Session{Start: start, End: start, Reason: "exploded"})
	if !errors.Is(err, usage.ErrInvalid) {
		t.Errorf("SessionEnded(bad reason) = %v, want ErrInvalid", err)
	}

	// Read from the same store and from a reopened file.
	got := report(t, s, day0).Totals
	check := func(got usage.Counts) {
		t.Helper()
		if got.Sessions != 3 || got.Supervised != 1 {
			t.Errorf("Sessions, Supervised = %d, %d, want 3, 1", got.Sessions, got.Supervised)
		}
		if want := 75*time.Minute + 40*time.Second; got.TotalDuration != want {
			t.Errorf("TotalDuration = %v, want %v", got.TotalDuration, want)
		}
		if got.MedianDuration != 20*time.Minute {
			t.Errorf("MedianDuration = %v, want 20m", got.MedianDuration)
		}
		if got.ActiveDuration != 68*time.Minute || got.IdleDuration != 7*time.Minute {
			t.Errorf("Active, Idle = %v, %v, want 68m, 7m", got.ActiveDuration, got.IdleDuration)
		}
		if got.EndedBy[usage.EndUser] != 1 || got.EndedBy[usage.EndIdle] != 1 || got.EndedBy[usage.EndAgent] != 1 ||
			got.EndedBy[usage.EndCrash] != 0 || len(got.EndedBy) != 5 {
			t.Errorf("EndedBy = %v", got.EndedBy)
		}
		if got.Hours[9] != 1 || got.Hours[10] != 1 || got.Hours[11] != 1 {
			t.Errorf("Hours = %v, want one each at 9, 10, 11", got.Hours)
		}
		if len(got.Sites) != 2 || got.Sites["CAF"] != 1 || got.Sites["Ameli"] != 2 {
			t.Errorf("Sites = %v, want CAF:1 Ameli:2", got.Sites)
		}
		if len(got.Langs) != 2 || got.Langs["fr"] != 1 || got.Langs["en"] != 1 {
			t.Errorf("Langs = %v, want fr:1 en:1", got.Langs)
		}
	}
	check(got)
}

func TestStore_ReportDays(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	for i := range 3 {
		clk.Set(day0.AddDate(0, 0, i))
		for range i + 1 {
			s.Count(usage.SessionStarted)
		}
		if i == 1 {
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := s.Report(day0.AddDate(0, 0, -1), day0.AddDate(0, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		date string
		n    uint64
	}{{"2026-03-09", 0}, {"2026-03-10", 1}, {"2026-03-11", 2}, {"2026-03-12", 3}, {"2026-03-13", 0}}
	if len(r.Days) != len(want) {
		t.Fatalf("%d days, want %d", len(r.Days), len(want))
	}
	for i, w := range want {
		if r.Days[i].Date != w.date || r.Days[i].SessionsStarted != w.n {
			t.Errorf("day %d = %s %d, want %s %d", i, r.Days[i].Date, r.Days[i].SessionsStarted, w.date, w.n)
		}
	}
	if r.Totals.SessionsStarted != 6 || r.From != "2026-03-09" || r.To != "2026-03-13" {
		t.Errorf("totals %d, range %s..%s, want 6, 2026-03-09..2026-03-13", r.Totals.SessionsStarted, r.From, r.To)
	}
	if _, err = s.Report(day0, day0.AddDate(0, 0, -1)); !errors.Is(err, usage.ErrInvalid) {
		t.Errorf("Report(reversed) = %v, want ErrInvalid", err)
	}
	if _, err = s.BlockedHosts(day0, day0.AddDate(20, 0, 0)); !errors.Is(err, usage.ErrInvalid) {
		t.Errorf("BlockedHosts(20 years) = %v, want ErrInvalid", err)
	}
}

func TestStore_DayBoundary(t *testing.T) {
	// Counts go to the local calendar day, not the UTC one.
	clk := newClock(time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC)) // 00:30 on the 11th in zone
	s := open(t, newConfig(t, clk))
	s.Count(usage.HelpRequest)
	s.Count(usage.Print)
	clk.Set(time.Date(2026, 3, 10, 22, 59, 59, 0, time.UTC)) // 23:59:59 on the 10th
	s.Count(usage.HelpRequest)
	s.Count(usage.HelpRequest)
	for range 3 {
		s.Count(usage.Print)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Count(usage.Print) // pending, on the 10th
	r, err := s.Report(day0, day0.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if r.Days[0].HelpRequests != 2 || r.Days[1].HelpRequests != 1 {
		t.Errorf("HelpRequests by day = %d, %d, want 2, 1", r.Days[0].HelpRequests, r.Days[1].HelpRequests)
	}
	if r.Days[0].Prints != 4 || r.Days[1].Prints != 1 || r.Totals.Prints != 5 {
		t.Errorf("Prints by day = %d, %d, total %d, want 4, 1, 5", r.Days[0].Prints, r.Days[1].Prints, r.Totals.Prints)
	}
}

func TestStore_FlushOnClose(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	c.FlushInterval = time.Hour // the loop never ticks: Close must flush
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	s.Blocked("cdn.example.net:443", "https://www.impots.gouv.fr/accueil?q=secret#x")
	s.Count(usage.WipeFailure)
	if err = s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err = s.Healthy(); !errors.Is(err, usage.ErrClosed) {
		t.Errorf("Healthy after Close = %v, want ErrClosed", err)
	}
	if err = s.SessionEnded(usage.Session{Start: day0, End: day0, Reason: usage.EndUser}); !errors.Is(err, usage.ErrClosed) {
		t.Errorf("SessionEnded after Close = %v, want ErrClosed", err)
	}

	s = open(t, c)
	hosts, err := s.BlockedHosts(day0, day0)
	if err != nil {
		t.Fatal(err)
	}
	want := usage.BlockedHost{Host: "cdn.example.net", From: "www.impots.gouv.fr", Count: 1}
	if len(hosts) != 1 || hosts[0].Host != want.Host || hosts[0].From != want.From || hosts[0].Count != 1 {
		t.Fatalf("BlockedHosts = %+v, want [%+v]", hosts, want)
	}
	if got := report(t, s, day0).Totals.WipeFailures; got != 1 {
		t.Errorf("WipeFailures = %d, want 1", got)
	}
}

func TestStore_FlushLoop(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	c.FlushInterval = 10 * time.Millisecond
	s := open(t, c)
	s.Count(usage.HelpRequest)

	// No event says that the loop flushed: poll the pending state with a deadline.
	wait.Until(t, 5*time.Second, "the flush loop writing the count", func() bool {
		return s.Healthy() == nil && flushed(t, s)
	})
}

// flushed reports whether the store has no pending counts.
func flushed(t testing.TB, s *usage.Store) bool {
	t.Helper()

	return usage.PendingDays(s) == 0
}

func TestStore_Retention(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	c.RetentionDays = 3
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 { // days 0..4
		start := day0.AddDate(0, 0, i)
		clk.Set(start)
		if err = s.SessionEnded(usage.Session{Start: start, End: start.Add(time.Minute), Reason: usage.EndUser}); err != nil {
			t.Fatal(err)
		}
	}
	// The clock is on day 4 but no daily retention ran yet since day 4's flush: flush
	// runs it (the day changed since Open).
	if err = s.Flush(); err != nil {
		t.Fatal(err)
	}
	got := sessionsByDay(t, s, day0, 5)
	if want := []uint64{0, 0, 1, 1, 1}; !equal(got, want) {
		t.Fatalf("after the daily retention, sessions by day = %v, want %v", got, want)
	}
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}

	// At open, two days later: only day 4 is left (days 4, 5, 6 kept).
	clk.Set(day0.AddDate(0, 0, 6))
	s = open(t, c)
	got = sessionsByDay(t, s, day0, 5)
	if want := []uint64{0, 0, 0, 0, 1}; !equal(got, want) {
		t.Fatalf("after the retention at open, sessions by day = %v, want %v", got, want)
	}
	if n := usage.StoredDays(s); n != 1 {
		t.Errorf("%d day buckets in the file, want 1", n)
	}
}

// sessionsByDay returns the sessions of n days from d.
func sessionsByDay(t testing.TB, s *usage.Store, d time.Time, n int) []uint64 {
	t.Helper()

	r, err := s.Report(d, d.AddDate(0, 0, n-1))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]uint64, 0, n)
	for _, day := range r.Days {
		out = append(out, day.Sessions)
	}

	return out
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}

	return true
}

func TestOpen_FileBeforePrints(t *testing.T) {
	// A file written before the prints counter existed: schema 2, a day with the
	// other counters stored by name and no "cprints" key.
	path := filepath.Join(t.TempDir(), "usage.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := uint32(day0.Unix() / 86400) // day0 is noon CET: the same UTC date
	err = db.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		if err = meta.Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 2)); err != nil {
			return err
		}
		days, err := tx.CreateBucket([]byte("days"))
		if err != nil {
			return err
		}
		b, err := days.CreateBucket(binary.BigEndian.AppendUint32(nil, day))
		if err != nil {
			return err
		}
		for k, n := range map[string]uint64{"chelp_requests": 3, "csessions_started": 7} {
			if err = b.Put([]byte(k), binary.BigEndian.AppendUint64(nil, n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || db.Close() != nil {
		t.Fatalf("writing the old file: %v", err)
	}

	clk := newClock(day0)
	c := newConfig(t, clk)
	c.Path = path
	s := open(t, c)
	got := report(t, s, day0).Totals
	if got.Prints != 0 || got.HelpRequests != 3 || got.SessionsStarted != 7 {
		t.Fatalf("old file: Prints, HelpRequests, SessionsStarted = %d, %d, %d, want 0, 3, 7",
			got.Prints, got.HelpRequests, got.SessionsStarted)
	}

	// Counting prints adds a key to the old day; the file keeps its schema and opens again.
	s.Count(usage.Print)
	if v := schemaOf(t, s, path); v != 2 {
		t.Errorf("schema after counting a print = %d, want 2 (unchanged)", v)
	}
	s = open(t, c)
	got = report(t, s, day0).Totals
	if got.Prints != 1 || got.HelpRequests != 3 || got.SessionsStarted != 7 {
		t.Errorf("after reopening: Prints, HelpRequests, SessionsStarted = %d, %d, %d, want 1, 3, 7",
			got.Prints, got.HelpRequests, got.SessionsStarted)
	}
}

func TestOpen_SchemaStored(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s := open(t, c)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("file mode = %v, want no group/other access", perm)
	}
	db, err := bbolt.Open(c.Path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("meta"))
		if b == nil {
			return errors.New("no meta bucket")
		}
		v := b.Get([]byte("schema"))
		if len(v) != 8 || binary.BigEndian.Uint64(v) != usage.SchemaVersion {
			return errors.New("bad schema value")
		}

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Refused(t *testing.T) {
	// writeDB writes a bbolt file with f applied, without this package.
	writeDB := func(t *testing.T, f func(tx *bbolt.Tx) error) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "usage.db")
		db, err := bbolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err = db.Update(f); err != nil {
			t.Fatal(err)
		}
		if err = db.Close(); err != nil {
			t.Fatal(err)
		}

		return path
	}
	// valid returns the path of a valid usage file with some data.
	valid := func(t *testing.T) string {
		t.Helper()
		clk := newClock(day0)
		c := newConfig(t, clk)
		s, err := usage.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			start := day0.Add(time.Duration(i) * time.Minute)
			s.Blocked("host"+string(rune('a'+i%26))+".example", "www.caf.fr")
			if err = s.SessionEnded(usage.Session{Start: start, End: start.Add(time.Minute), Reason: usage.EndUser, Sites: []string{"site"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err = s.Close(); err != nil {
			t.Fatal(err)
		}

		return c.Path
	}
	schema := func(v uint64) func(tx *bbolt.Tx) error {
		return func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucket([]byte("meta"))
			if err != nil {
				return err
			}

			return b.Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, v))
		}
	}

	testCases := []struct {
		name string
		file func(t *testing.T) string
		want error
	}{{
		name: "newer schema",
		file: func(t *testing.T) string { return writeDB(t, schema(usage.SchemaVersion+1)) },
		want: usage.ErrNewerSchema,
	}, {
		name: "random bytes",
		file: func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "usage.db")
			b := make([]byte, 64<<10)
			for i := range b {
				b[i] = byte(i*7919 + i>>8)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}

			return path
		},
		want: usage.ErrCorrupt,
	}, {
		name: "short garbage",
		file: func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "usage.db")
			if err := os.WriteFile(path, []byte("not a database\n"), 0o600); err != nil {
				t.Fatal(err)
			}

			return path
		},
		want: usage.ErrCorrupt,
	}, {
		name: "truncated",
		file: func(t *testing.T) string {
			path := valid(t)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err = os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}

			return path
		},
		want: usage.ErrCorrupt,
	}, {
		name: "damaged page",
		file: func(t *testing.T) string {
			path := valid(t)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Overwrite everything after the two meta pages.
			for i := 2 * os.Getpagesize(); i < len(b); i++ {
				b[i] = 0xA5
			}
			if err = os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}

			return path
		},
		want: usage.ErrCorrupt,
	}, {
		name: "foreign bbolt file",
		file: func(t *testing.T) string {
			return writeDB(t, func(tx *bbolt.Tx) error {
				_, err := tx.CreateBucket([]byte("stats"))

				return err
			})
		},
		want: usage.ErrCorrupt,
	}, {
		name: "schema zero",
		file: func(t *testing.T) string { return writeDB(t, schema(0)) },
		want: usage.ErrCorrupt,
	}}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.file(t)
			before := fileSum(t, path)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := usage.Open(&usage.Config{Path: path, FlushInterval: -1, Now: func() time.Time { return day0 }})
			if err == nil {
				_ = s.Close()
				t.Fatalf("Open succeeded, want %v", tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			t.Logf("Open: %v", err)
			if fileSum(t, path) != before {
				t.Error("the refused file was modified")
			}
			if fi2, _ := os.Stat(path); fi2 == nil || fi2.Size() != fi.Size() || !fi2.ModTime().Equal(fi.ModTime()) {
				t.Error("the refused file's size or time changed")
			}
		})
	}
}

func TestOpen_EmptyFile(t *testing.T) {
	// An empty file (a crash right after its creation) is initialised.
	clk := newClock(day0)
	c := newConfig(t, clk)
	if err := os.WriteFile(c.Path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, c)
	if err := s.SessionEnded(usage.Session{Start: day0, End: day0, Reason: usage.EndUser}); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Locked(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s := open(t, c)
	_ = s

	start := time.Now()
	s2, err := usage.Open(c)
	if err == nil {
		_ = s2.Close()
		t.Fatal("second Open succeeded")
	}
	if !errors.Is(err, usage.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second Open took %v, want about OpenTimeout", d)
	}
	t.Logf("second Open: %v", err)
}

func TestOpen_Invalid(t *testing.T) {
	for _, c := range []*usage.Config{nil, {}} {
		if _, err := usage.Open(c); !errors.Is(err, usage.ErrInvalid) {
			t.Errorf("Open(%+v) = %v, want ErrInvalid", c, err)
		}
	}
	_, err := usage.Open(&usage.Config{Path: filepath.Join(t.TempDir(), "missing", "usage.db"), FlushInterval: -1})
	if err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestStore_Concurrent(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	c.FlushInterval = time.Millisecond
	s := open(t, c)
	const workers, each = 4, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				s.Count(usage.HelpRequest)
				s.Blocked("blocked.example", "www.caf.fr")
				if i%100 == 0 {
					start := day0.Add(time.Duration(w) * time.Minute)
					if err := s.SessionEnded(usage.Session{Start: start, End: start.Add(time.Minute), Reason: usage.EndCrash}); err != nil {
						t.Error(err)
					}
					if _, err := s.Report(day0, day0); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	got := report(t, s, day0).Totals
	if got.HelpRequests != workers*each || got.BlockedRequests != workers*each || got.EndedBy[usage.EndCrash] != workers*each/100 {
		t.Fatalf("HelpRequests, BlockedRequests, crashes = %d, %d, %d, want %d, %d, %d",
			got.HelpRequests, got.BlockedRequests, got.EndedBy[usage.EndCrash], workers*each, workers*each, workers*each/100)
	}
}

func TestStore_DaylightSaving(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	c := newConfig(t, clk)
	c.Location = paris
	s := open(t, c)
	// Summer time starts on 2026-03-29 at 02:00: that day has 23 hours.
	for _, at := range []string{"2026-03-28T23:30:00+01:00", "2026-03-29T00:30:00+01:00",
		"2026-03-29T23:30:00+02:00", "2026-03-30T00:30:00+02:00", "2026-03-30T00:45:00+02:00"} {
		tm, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(tm.UTC())
		s.Count(usage.AgentUnlock)
	}
	r, err := s.Report(time.Date(2026, 3, 28, 12, 0, 0, 0, paris), time.Date(2026, 3, 30, 12, 0, 0, 0, paris))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint64{1, 2, 2} {
		if got := r.Days[i].AgentUnlocks; got != want {
			t.Errorf("%s: AgentUnlocks = %d, want %d", r.Days[i].Date, got, want)
		}
	}
}

func TestReport_JSON(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	s.Count(usage.SatisfactionPartly)
	err := s.SessionEnded(usage.Session{Start: day0, End: day0.Add(3 * time.Minute), Reason: usage.EndTimeLimit, Sites: []string{"Impôts"}})
	if err != nil {
		t.Fatal(err)
	}
	r := report(t, s, day0)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back usage.Report
	if err = json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*r, back) {
		t.Errorf("JSON round trip changed the report:\n%s", b)
	}
	for _, want := range []string{`"timelimit":1`, `"Impôts":1`, `"satisfaction_partly":1`, `"date":"2026-03-10"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
}

func TestStore_BlockedLimits(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	// 11,000 names over 220 sessions of 50 pages each: over both the memory (10,000)
	// and the per-day (1,000) limits, within the per-session and per-page ones.
	const distinct = 11_000
	for i := range distinct {
		if i%50 == 0 {
			s.NewSession()
		}
		s.Blocked("h"+strconv.Itoa(i)+".example", "www.site"+strconv.Itoa(i/50)+".example")
	}
	s.Blocked("", "www.caf.fr") // no host: counted, not listed
	check := func(when string) {
		t.Helper()
		hosts, err := s.BlockedHosts(day0, day0)
		if err != nil {
			t.Fatal(err)
		}
		total := report(t, s, day0).Totals.BlockedRequests
		t.Logf("%s: %d pairs listed, %d requests", when, len(hosts), total)
		if total != distinct+1 {
			t.Errorf("%s: BlockedRequests = %d, want %d", when, total, distinct+1)
		}
		if when == "flushed" && len(hosts) != 1000 {
			t.Errorf("%s: %d pairs listed, want the per-day limit 1000", when, len(hosts))
		}
		if when == "pending" && len(hosts) != 10_000 {
			t.Errorf("%s: %d pairs listed, want the memory limit 10000", when, len(hosts))
		}
	}
	check("pending")
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	check("flushed")
}
