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

// BenchmarkController_Override is the proxy's question for a refused host
// while an agent has opened two hosts.
func BenchmarkController_Override(b *testing.B) {
	at := newBenchAgents(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if at.Override("evil.example") {
				b.Fatal("not opened")
			}
		}
	})
}

// newBenchAgents returns a session where Marie opened two hosts.
func newBenchAgents(b *testing.B) *session.Controller {
	c, _, _ := newTest(b, session.Config{CheckPIN: func(pin string) (string, error) { return "Marie", nil }})
	if err := c.Start("fr", false); err != nil {
		b.Fatal(err)
	}
	for _, h := range []string{"www.ameli.fr", "docs.example.org"} {
		if err := c.OverrideHost("482913", h); err != nil {
			b.Fatal(err)
		}
	}
	return c
}
