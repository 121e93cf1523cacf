package agent

import (
	"fmt"
	"testing"

	"github.com/communes/kiosk/internal/passhash"
)

// BenchmarkStore_CheckPIN measures a keypad check with the real hash cost
// and 10 accounts (every hash is verified on each check).
func BenchmarkStore_CheckPIN(b *testing.B) {
	hashParams = passhash.Default
	defer func() { hashParams = cheapParams }()
	s := newStore(b)
	for i := range 10 {
		mustAdd(b, s, fmt.Sprintf("Agent %d", i), RoleAgent, fmt.Sprintf("5%d8317", i), "")
	}
	for b.Loop() {
		if _, err := s.CheckPIN("598317"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHash_Password measures one admin page password check.
func BenchmarkHash_Password(b *testing.B) {
	h, err := passhash.Hash("correct horse battery", passhash.Default)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := passhash.Verify(h, "correct horse battery"); !ok {
			b.Fatal("no match")
		}
	}
}
