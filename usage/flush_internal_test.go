package usage

import (
	"path/filepath"
	"testing"
	"time"
)

func TestStore_FlushFailureKeepsCounts(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	s, err := Open(&Config{Path: filepath.Join(t.TempDir(), "usage.db"), FlushInterval: -1,
		Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s.Count(HelpRequest)
	s.Blocked("a.example", "b.example")
	if err = s.Healthy(); err != nil {
		t.Fatalf("Healthy = %v before any failure", err)
	}

	// Break the disk under the store: every write now fails.
	if err = s.db.Close(); err != nil {
		t.Fatal(err)
	}
	if err = s.Flush(); err == nil {
		t.Fatal("Flush on a closed file succeeded")
	}
	if s.Healthy() == nil {
		t.Error("Healthy = nil after a failed flush")
	}
	s.Count(HelpRequest)
	s.Blocked("a.example", "b.example")

	s.mu.Lock()
	p := s.pending[civilDay(2026, 3, 10)]
	s.mu.Unlock()
	if p == nil || p.counters[HelpRequest] != 2 || p.blocked[blockedKey{"a.example", "b.example"}].count != 2 {
		t.Fatalf("pending after a failed flush = %+v, want the counts kept and added to", p)
	}
}
