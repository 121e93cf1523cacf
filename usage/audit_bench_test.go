package usage_test

import (
	"testing"
	"time"
)

// BenchmarkStore_Audit measures one durable audit entry (a bbolt commit with
// fsync): the cost an agent action pays, never the proxy's path.
func BenchmarkStore_Audit(b *testing.B) {
	clk := newClock(day0)
	s := open(b, newConfig(b, clk))
	for i := 0; b.Loop(); i++ {
		s.Audit(day0.Add(time.Duration(i)*time.Millisecond), "Marie", "extend", "+15m0s")
	}
}

// BenchmarkStore_AuditLog reads a month holding 100 entries a day.
func BenchmarkStore_AuditLog(b *testing.B) {
	clk := newClock(day0.AddDate(0, 0, 30))
	s := open(b, newConfig(b, clk))
	for d := range 30 {
		for i := range 100 {
			s.Audit(day0.AddDate(0, 0, d).Add(time.Duration(i)*time.Minute), "Marie", "help_taken", "2m30s")
		}
	}
	for b.Loop() {
		got, err := s.AuditLog(day0, day0.AddDate(0, 0, 29))
		if err != nil || len(got) != 3000 {
			b.Fatalf("AuditLog = %d entries, %v", len(got), err)
		}
	}
}
