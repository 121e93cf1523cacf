package usage_test

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
	"go.etcd.io/bbolt"
)

func TestStore_AuditRoundTrip(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s := open(t, c)

	t1 := day0.Add(-2 * time.Hour)
	s.Audit(day0, "Marie", "extend", "+15m0s")
	s.Audit(t1, "Paul", "end", "")
	s.Audit(day0, "Marie", "help_taken", "2m30s") // same instant: both kept
	s.Audit(day0.AddDate(0, 0, 1), "Paul", "unlock", "start")

	got, err := s.AuditLog(day0, day0)
	if err != nil {
		t.Fatal(err)
	}
	want := []usage.AuditEntry{
		{At: t1, Agent: "Paul", Action: "end"},
		{At: day0, Agent: "Marie", Action: "extend", Detail: "+15m0s"},
		{At: day0, Agent: "Marie", Action: "help_taken", Detail: "2m30s"},
	}
	if len(got) != len(want) {
		t.Fatalf("AuditLog(day0) = %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || got[i].Agent != want[i].Agent || got[i].Action != want[i].Action ||
			got[i].Detail != want[i].Detail {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
		if got[i].At.Location() != zone {
			t.Errorf("entry %d in %v, want the store's location", i, got[i].At.Location())
		}
	}
	all, err := s.AuditLog(day0, day0.AddDate(0, 0, 1))
	if err != nil || len(all) != 4 || all[3].Action != "unlock" {
		t.Fatalf("AuditLog(2 days) = %+v, %v; want 4 entries ending with unlock", all, err)
	}

	// Durable when Audit returns: a second Store (after Close) reads the same.
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, c)
	again, err := s.AuditLog(day0, day0.AddDate(0, 0, 1))
	if err != nil || len(again) != 4 {
		t.Fatalf("after reopening, AuditLog = %+v, %v; want 4 entries", again, err)
	}
	// Counts are not disturbed by audit entries in the day bucket.
	if r := report(t, s, day0); r.Totals.Sessions != 0 {
		t.Errorf("Report counts %d sessions, want 0", r.Totals.Sessions)
	}
}

func TestStore_AuditSanitised(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	testCases := []struct {
		name, agent, action, detail string
		wantAgent, wantAct, wantDet string
	}{{
		name: "host kept", agent: "Marie", action: "override", detail: "cdn.caf.fr",
		wantAgent: "Marie", wantAct: "override", wantDet: "cdn.caf.fr",
	}, {
		name: "url reduced to host", agent: "Marie", action: "override",
		detail:    "https://www.caf.fr/allocataires/mon-compte?nir=1234567890123#x",
		wantAgent: "Marie", wantAct: "override", wantDet: "www.caf.fr",
	}, {
		name: "words with url", agent: "Paul", action: "pin_failed", detail: "override http://user:pw@Impots.Gouv.fr:443/a?b=c",
		wantAgent: "Paul", wantAct: "pin_failed", wantDet: "override impots.gouv.fr",
	}, {
		name: "query-like word", agent: "Paul", action: "x", detail: "nom=Dupont&date=1970",
		wantAgent: "Paul", wantAct: "x", wantDet: "nomdupontdate1970",
	}, {
		name: "control characters", agent: "Ma\x00rie\n\u202e", action: "END\n;drop", detail: "a\tb\x00c",
		wantAgent: "Marie", wantAct: "enddrop", wantDet: "a bc",
	}, {
		name: "empty agent and action", agent: " ", action: "", detail: "",
		wantAgent: "?", wantAct: "unknown", wantDet: "",
	}, {
		name: "long text cut", agent: strings.Repeat("é", 100), action: "message",
		detail:    strings.Repeat("mot ", 60),
		wantAgent: strings.Repeat("é", 32), wantAct: "message", wantDet: strings.TrimSpace(strings.Repeat("mot ", 24)),
	}}
	for i, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			at := day0.Add(time.Duration(i) * time.Minute)
			s.Audit(at, tc.agent, tc.action, tc.detail)
			got, err := s.AuditLog(at, at)
			if err != nil {
				t.Fatal(err)
			}
			var e *usage.AuditEntry
			for j := range got {
				if got[j].At.Equal(at) {
					e = &got[j]
				}
			}
			if e == nil {
				t.Fatalf("no entry at %v in %+v", at, got)
			}
			if e.Agent != tc.wantAgent || e.Action != tc.wantAct || e.Detail != tc.wantDet {
				t.Errorf("Audit(%q, %q, %q) stored (%q, %q, %q), want (%q, %q, %q)", tc.agent, tc.action, tc.detail,
					e.Agent, e.Action, e.Detail, tc.wantAgent, tc.wantAct, tc.wantDet)
			}
		})
	}
}

func TestStore_AuditRetention(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	c.RetentionDays = 3
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		at := day0.AddDate(0, 0, i)
		clk.Set(at)
		s.Audit(at, "Marie", "end", "")
	}
	s.Audit(day0, "Marie", "end", "too old") // older than the retention: dropped
	if err = s.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditLog(day0, day0.AddDate(0, 0, 4))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !got[0].At.Equal(day0.AddDate(0, 0, 2)) {
		t.Fatalf("after the daily retention, AuditLog = %+v, want days 2, 3, 4", got)
	}
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Set(day0.AddDate(0, 0, 6))
	s = open(t, c)
	got, err = s.AuditLog(day0, day0.AddDate(0, 0, 6))
	if err != nil || len(got) != 1 {
		t.Fatalf("after the retention at open, AuditLog = %+v, %v; want day 4 only", got, err)
	}
}

func TestStore_AuditSchema(t *testing.T) {
	// A version 1 file (before the audit log) opens, and is marked 2 by its first
	// audit entry, so that an older kiosk refuses it as newer rather than corrupt.
	path := filepath.Join(t.TempDir(), "usage.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		if _, err = tx.CreateBucket([]byte("days")); err != nil {
			return err
		}
		return b.Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 1))
	})
	if err != nil || db.Close() != nil {
		t.Fatal(err)
	}
	clk := newClock(day0)
	c := newConfig(t, clk)
	c.Path = path
	s := open(t, c)
	if v := schemaOf(t, s, path); v != 1 {
		t.Fatalf("schema before any audit entry = %d, want 1 (unchanged)", v)
	}
	s = open(t, c)
	s.Audit(day0, "Marie", "end", "")
	if v := schemaOf(t, s, path); v != 2 {
		t.Fatalf("schema after an audit entry = %d, want 2", v)
	}
	// The file with audit entries opens again (its entries pass the open check).
	s = open(t, c)
	if got, err := s.AuditLog(day0, day0); err != nil || len(got) != 1 {
		t.Fatalf("AuditLog after reopening = %+v, %v", got, err)
	}
}

// schemaOf closes s and returns the schema version stored in path.
func schemaOf(t *testing.T, s *usage.Store, path string) uint64 {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v uint64
	_ = db.View(func(tx *bbolt.Tx) error {
		v = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("schema")))
		return nil
	})
	return v
}

func TestStore_AuditCorruptEntryRefused(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	s.Audit(day0, "Marie", "end", "")
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(c.Path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		days := tx.Bucket([]byte("days"))
		c := days.Cursor()
		k, _ := c.First()
		b := days.Bucket(k)
		ak, _ := b.Cursor().First()
		return b.Put(ak, []byte{9, 'x'})
	})
	if err != nil || db.Close() != nil {
		t.Fatal(err)
	}
	sum := fileSum(t, c.Path)
	if _, err = usage.Open(c); err == nil || !strings.Contains(err.Error(), "audit") {
		t.Fatalf("Open with a damaged audit entry: %v, want ErrCorrupt naming the audit entry", err)
	}
	if fileSum(t, c.Path) != sum {
		t.Error("the refused file was modified")
	}
}

func TestStore_AuditConcurrent(t *testing.T) {
	clk := newClock(day0)
	s := open(t, newConfig(t, clk))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				s.Audit(day0, "agent", "extend", "+15m0s")
				if _, err := s.AuditLog(day0, day0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := s.AuditLog(day0, day0)
	if err != nil || len(got) != 80 {
		t.Fatalf("AuditLog after 80 concurrent entries at one instant: %d entries, %v", len(got), err)
	}
	if err = s.Healthy(); err != nil {
		t.Errorf("Healthy = %v", err)
	}
}

func TestStore_AuditAfterClose(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Audit(day0, "Marie", "end", "") // must not panic
	if _, err = s.AuditLog(day0, day0); err == nil {
		t.Error("AuditLog after Close succeeded, want ErrClosed")
	}
}
