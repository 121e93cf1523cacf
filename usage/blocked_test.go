package usage_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
	"go.etcd.io/bbolt"
)

// flood has one page ask for n random names in the current session, flushing halfway.
func flood(t *testing.T, s *usage.Store, from string, n int, tag string) {
	t.Helper()
	for i := range n {
		s.Blocked("x"+strconv.Itoa(i)+tag+".flood"+strconv.Itoa(i%97)+".example", from)
		if i == n/2 {
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// blockedHosts returns the pairs of day0 after a flush.
func blockedHosts(t *testing.T, s *usage.Store) []usage.BlockedHost {
	t.Helper()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	hosts, err := s.BlockedHosts(day0, day0)
	if err != nil {
		t.Fatal(err)
	}

	return hosts
}

func TestStore_BlockedFlood(t *testing.T) {
	const page, needed = "www.caf.fr", "api.caf.fr"
	testCases := []struct {
		name        string
		floodBefore int // flooding sessions before the three genuine ones
		floodDuring bool
		floodFirst  bool // the flood comes before the needed host in each genuine session
		sessions    uint64
	}{
		{name: "one flooding session", floodBefore: 1, sessions: 3},
		{name: "page group full of single-session names", floodBefore: 3, sessions: 3},
		{name: "flood again in the genuine sessions", floodBefore: 1, floodDuring: true, sessions: 3},
		// The first genuine session's request is drowned (past the session's limits,
		// and not yet seen in another session): counted from the second one.
		{name: "flood before the needed host in every session", floodFirst: true, sessions: 2},
		{name: "flood before the needed host, page group full", floodBefore: 3, floodFirst: true, sessions: 2},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock(day0)
			c := newConfig(t, clk)
			s := open(t, c)
			for i := range tc.floodBefore {
				s.Count(usage.SessionStarted)
				flood(t, s, page, 5000, "b"+strconv.Itoa(i))
			}
			for i := range 3 {
				s.Count(usage.SessionStarted)
				if tc.floodFirst {
					flood(t, s, page, 5000, "f"+strconv.Itoa(i))
				}
				s.Blocked(needed, page)
				if tc.floodDuring {
					flood(t, s, page, 5000, "d"+strconv.Itoa(i))
				}
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = open(t, c)
			hosts := blockedHosts(t, s)
			if len(hosts) == 0 || hosts[0].Host != needed || hosts[0].From != page || hosts[0].Sessions != tc.sessions {
				t.Fatalf("first of %d pairs = %+v, want %s from %s in %d sessions", len(hosts), hosts[:min(len(hosts), 1)], needed, page, tc.sessions)
			}
			if len(hosts) > 100 {
				t.Errorf("%d pairs stored for one page, want at most the per-page limit 100", len(hosts))
			}
			for _, h := range hosts[1:] {
				if h.Sessions != 1 {
					t.Errorf("flood name %s: Sessions = %d, want 1", h.Host, h.Sessions)
				}
			}
			total := report(t, s, day0).Totals.BlockedRequests
			want := uint64(5000*tc.floodBefore + 3)
			if tc.floodFirst {
				want += 3 * 5000
			}
			if !tc.floodDuring && total != want {
				t.Errorf("BlockedRequests = %d, want %d (every request counted)", total, want)
			}
		})
	}
}

func TestStore_BlockedFloodKeepsOtherPages(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	others := map[string]bool{}
	s.Count(usage.SessionStarted)
	for i := range 5 {
		h := "cdn" + strconv.Itoa(i) + ".ameli-static.example"
		s.Blocked(h, "www.ameli.fr")
		others[h] = true
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	// Fill the day (1,000 pairs) from 12 other pages, then flood from one of them in
	// many more sessions: the first page's single-session pairs stay.
	for p := range 12 {
		for range 2 {
			s.Count(usage.SessionStarted)
			flood(t, s, "www.page"+strconv.Itoa(p)+".example", 200, "p"+strconv.Itoa(p))
		}
	}
	for i := range 20 {
		s.Count(usage.SessionStarted)
		flood(t, s, "www.page0.example", 200, "again"+strconv.Itoa(i))
	}
	hosts := blockedHosts(t, s)
	perPage := map[string]int{}
	for _, h := range hosts {
		perPage[h.From]++
		if h.From == "www.ameli.fr" {
			delete(others, h.Host)
		}
	}
	if len(others) != 0 {
		t.Errorf("pairs of www.ameli.fr pushed out by other pages' floods: %v", others)
	}
	if len(hosts) > 1000 {
		t.Errorf("%d pairs stored, want at most 1000", len(hosts))
	}
	for from, n := range perPage {
		if n > 100 {
			t.Errorf("%d pairs stored for %s, want at most 100", n, from)
		}
	}
}

func TestStore_BlockedDomainLimit(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	// Random subdomains of one domain, each from another page in another session.
	for i := range 80 {
		s.NewSession()
		s.Blocked("a"+strconv.Itoa(i)+".evil.example", "www.site"+strconv.Itoa(i)+".example")
	}
	if n := len(blockedHosts(t, s)); n != 50 {
		t.Errorf("%d pairs stored for evil.example, want the per-domain limit 50", n)
	}
}

func TestStore_BlockedSessions(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	ask := func(n int) {
		for range n {
			s.Blocked("tracker.example", "www.caf.fr")
		}
	}
	ask(10) // before any session: the refusals between sessions count as one
	s.Count(usage.SessionStarted)
	ask(3)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	ask(2) // same session after a flush: not counted again
	if err := s.SessionEnded(usage.Session{Start: day0, End: day0, Reason: usage.EndUser}); err != nil {
		t.Fatal(err)
	}
	ask(1)
	hosts := blockedHosts(t, s)
	if len(hosts) != 1 || hosts[0].Count != 16 || hosts[0].Sessions != 3 || hosts[0].Days != 1 {
		t.Fatalf("BlockedHosts = %+v, want 16 requests in 3 sessions on 1 day", hosts)
	}

	// A session going past midnight counts again on the new day.
	clk.Set(day0.Add(12 * time.Hour))
	ask(1)
	hosts, err := s.BlockedHosts(day0, day0.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 1 || hosts[0].Sessions != 4 || hosts[0].Days != 2 || hosts[0].LastDay != "2026-03-11" {
		t.Fatalf("over two days BlockedHosts = %+v, want 4 sessions, 2 days, last 2026-03-11", hosts)
	}
}

func TestStore_BlockedDayOnly(t *testing.T) {
	at := time.Date(2026, 3, 10, 14, 37, 21, 0, zone)
	clk := newClock(at)
	c := newConfig(t, clk)
	s := open(t, c)
	s.Count(usage.SessionStarted)
	s.Blocked("tracker.example", "www.caf.fr")
	s.Blocked("tracker.example", "www.caf.fr")
	clk.Set(at.Add(time.Minute))
	s.Blocked("cdn.example.net", "www.impots.gouv.fr")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	pairs := rawPairs(t, c.Path)
	want := map[string][2]uint64{
		"tracker.example\x00www.caf.fr":         {2, 1},
		"cdn.example.net\x00www.impots.gouv.fr": {1, 1},
	}
	if len(pairs) != len(want) {
		t.Fatalf("stored pairs = %v, want %v", pairs, want)
	}
	for k, v := range want {
		if pairs[k] != v {
			t.Errorf("pair %q = %v, want count and sessions %v only", k, pairs[k], v)
		}
	}
	noTimeOfDay(t, c.Path, at, at.Add(time.Minute))
}

// rawPairs reads the blocked pairs of the file at path with bbolt itself: each value
// must be exactly a count and a number of sessions.
func rawPairs(t *testing.T, path string) map[string][2]uint64 {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][2]uint64{}
	err = db.View(func(tx *bbolt.Tx) error {
		days := tx.Bucket([]byte("days"))
		return days.ForEach(func(day, _ []byte) error {
			return days.Bucket(day).ForEach(func(k, v []byte) error {
				switch k[0] {
				case 'b':
					t.Errorf("legacy pair %q (with a time) still stored", k)
				case 'p':
					if len(v) != 16 {
						t.Errorf("pair %q: value of %d bytes, want 16 (count, sessions)", k, len(v))
						return nil
					}
					out[string(k[1:])] = [2]uint64{binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])}
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// noTimeOfDay checks that no byte of the file at path, free pages included, holds one
// of the instants as unix seconds (big-endian, as the old records did, or native).
func noTimeOfDay(t *testing.T, path string, instants ...time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range instants {
		for _, enc := range [][]byte{
			binary.BigEndian.AppendUint64(nil, uint64(at.Unix())),
			binary.LittleEndian.AppendUint64(nil, uint64(at.Unix())),
			binary.BigEndian.AppendUint32(nil, uint32(at.Unix())),
		} {
			if bytes.Contains(data, enc) {
				t.Errorf("the file holds %v as unix seconds (%x)", at, enc)
			}
		}
	}
}

func TestOpen_MigratesTimedPairs(t *testing.T) {
	// A schema 2 file whose blocked pairs carry their last time seen to the second.
	seen := time.Date(2026, 3, 10, 9, 41, 7, 0, zone)
	path := filepath.Join(t.TempDir(), "usage.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := uint32(day0.Unix() / 86400)
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
		v := binary.BigEndian.AppendUint64(nil, 4)
		v = binary.BigEndian.AppendUint64(v, uint64(seen.Unix()))
		if err = b.Put([]byte("btracker.example\x00www.caf.fr"), v); err != nil {
			return err
		}
		return b.Put([]byte("chelp_requests"), binary.BigEndian.AppendUint64(nil, 2))
	})
	if err != nil || db.Close() != nil {
		t.Fatalf("writing the old file: %v", err)
	}
	before, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(before, binary.BigEndian.AppendUint64(nil, uint64(seen.Unix()))) {
		t.Fatalf("the old file does not hold the time: %v", err)
	}

	clk := newClock(day0)
	c := newConfig(t, clk)
	c.Path = path
	s := open(t, c)
	hosts := blockedHosts(t, s)
	if len(hosts) != 1 || hosts[0].Host != "tracker.example" || hosts[0].Count != 4 || hosts[0].Sessions != 1 ||
		hosts[0].LastDay != "2026-03-10" {
		t.Fatalf("migrated BlockedHosts = %+v, want tracker.example, 4 requests, 1 session, 2026-03-10", hosts)
	}
	if got := report(t, s, day0).Totals.HelpRequests; got != 2 {
		t.Errorf("HelpRequests after migration = %d, want 2", got)
	}
	if v := schemaOf(t, s, path); v != usage.SchemaVersion {
		t.Errorf("schema after migration = %d, want %d", v, usage.SchemaVersion)
	}
	if pairs := rawPairs(t, path); pairs["tracker.example\x00www.caf.fr"] != [2]uint64{4, 1} {
		t.Errorf("stored pairs = %v", pairs)
	}
	noTimeOfDay(t, path, seen)
	// The migrated file opens again.
	s = open(t, c)
	if hosts = blockedHosts(t, s); len(hosts) != 1 || hosts[0].Count != 4 {
		t.Errorf("after reopening, BlockedHosts = %+v", hosts)
	}
}

// TestStore_BlockedRepeatNotRecurring: asking for a name again in the same session
// does not make it "recurring" (recurrence.go counts a pair once per session), so a
// page cannot repeat its flood to pass the session's limits.
func TestStore_BlockedRepeatNotRecurring(t *testing.T) {
	const page = "www.caf.fr"
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	s.Count(usage.SessionStarted)
	flood(t, s, page, 50, "fill") // the session's limit for the page's group
	for range 100 {
		s.Blocked("again.repeat.example", page)
	}
	for _, h := range blockedHosts(t, s) {
		if h.Host == "again.repeat.example" {
			t.Fatalf("a name repeated in one session past its limit was stored: %+v", h)
		}
	}
	// Another session asks for it: now it recurs and passes the limit.
	s.Count(usage.SessionStarted)
	flood(t, s, page, 50, "fill2")
	s.Blocked("again.repeat.example", page)
	found := false
	for _, h := range blockedHosts(t, s) {
		if h.Host == "again.repeat.example" {
			found = true
			if h.Sessions != 1 {
				t.Errorf("Sessions = %d, want 1 (counted from the session in which it was kept)", h.Sessions)
			}
		}
	}
	if !found {
		t.Fatal("a name asked for in two sessions was not kept past the session's limit")
	}
}
