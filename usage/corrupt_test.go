package usage_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
)

// TestOpen_RandomDamage damages a valid file at random places: Open must either refuse
// it with ErrCorrupt, leaving it unchanged, or open a store that works. It must never
// crash the process.
func TestOpen_RandomDamage(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		start := day0.Add(time.Duration(i%600)*time.Minute).AddDate(0, 0, -(i % 20))
		s.Blocked("h"+string(rune('a'+i%26))+".example", "www.caf.fr")
		if i%50 == 0 {
			if err = s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		err = s.SessionEnded(usage.Session{Start: start, End: start.Add(time.Duration(i) * time.Minute),
			Reason: usage.EndReasons[i%5], Sites: []string{"site" + string(rune('a'+i%7))}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(c.Path)
	if err != nil {
		t.Fatal(err)
	}

	seed, _ := strconv.ParseUint(os.Getenv("USAGE_DAMAGE_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(1, seed))
	refused := 0
	runs := 150
	if n, err := strconv.Atoi(os.Getenv("USAGE_DAMAGE_RUNS")); err == nil {
		runs = n
	}
	for run := range runs {
		b := bytes.Clone(good)
		for range 1 + rng.IntN(16) {
			b[rng.IntN(len(b))] = byte(rng.Uint32())
		}
		path := filepath.Join(t.TempDir(), "usage.db")
		if err = os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := usage.Open(&usage.Config{Path: path, FlushInterval: -1, Now: clk.Now, Location: zone})
		if err != nil {
			// A damaged schema version may read as a newer one.
			if !errors.Is(err, usage.ErrCorrupt) && !errors.Is(err, usage.ErrNewerSchema) {
				t.Fatalf("run %d: Open = %v, want ErrCorrupt, ErrNewerSchema or success", run, err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, b) {
				t.Fatalf("run %d: the refused file was modified", run)
			}
			refused++

			continue
		}
		if _, err = s.Report(day0.AddDate(0, 0, -30), day0); err != nil {
			t.Errorf("run %d: Report: %v", run, err)
		}
		if err = s.SessionEnded(usage.Session{Start: day0, End: day0, Reason: usage.EndUser}); err != nil {
			t.Errorf("run %d: SessionEnded: %v", run, err)
		}
		if err = s.Close(); err != nil {
			t.Errorf("run %d: Close: %v", run, err)
		}
	}
	t.Logf("%d of %d damaged files refused, the others opened and worked", refused, runs)
}

// TestOpen_TornMeta damages the newest meta page, as a power cut during its write
// would: bbolt falls back to the previous transaction, and so must the check.
func TestOpen_TornMeta(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		err = s.SessionEnded(usage.Session{Start: day0, End: day0.Add(time.Duration(i) * time.Minute), Reason: usage.EndUser})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err = s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	txid := func(page int) uint64 { return binary.NativeEndian.Uint64(b[page*ps+16+48:]) }
	newest := 0
	if txid(1) > txid(0) {
		newest = 1
	}
	b[newest*ps+16+56] ^= 0xFF // the checksum
	if err = os.WriteFile(c.Path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	s = open(t, c)
	if got := report(t, s, day0).Totals.Sessions; got < 4 {
		t.Errorf("Sessions = %d after falling back one transaction, want 4 or 5", got)
	}
}
