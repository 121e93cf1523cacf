package agent

import (
	"fmt"
	"testing"
)

// BenchmarkStore_CheckPIN measures a keypad check with the real hash cost
// and 10 accounts (every hash is verified on each check).
func BenchmarkStore_CheckPIN(b *testing.B) {
	pinParams = realPIN
	defer func() { pinParams = params{time: 1, memory: 64, threads: 1, keyLen: 32} }()
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
	h, err := hash("correct horse battery", realPassword)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := verify(h, "correct horse battery"); !ok {
			b.Fatal("no match")
		}
	}
}
