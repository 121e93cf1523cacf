package session_test

import (
	"testing"

	"github.com/communes/kiosk/session"
)

// The proxy calls Supervised, Override and Visited on every request.

func BenchmarkController_Supervised(b *testing.B) {
	c, err := session.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if c.Supervised() || c.Override("caf.fr") {
				b.Fatal("supervised outside a session")
			}
		}
	})
}

func BenchmarkController_Visited(b *testing.B) {
	c, _, _ := newTest(b, session.Config{})
	if err := c.Start("fr", false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Visited("CAF")
		}
	})
}

func BenchmarkController_Snapshot(b *testing.B) {
	c, _, _ := newTest(b, session.Config{})
	if err := c.Start("fr", false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Snapshot()
	}
}
