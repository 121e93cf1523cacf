package usage

import (
	"hash/maphash"
)

// Recurrence: which refused pairs come back in more than one session.
//
// The per-session limits (maxSessionPairs, maxSessionPage) stop one session from
// filling the learning view, but on their own they keep the first pairs a session
// asks for: a page that asks for 50 random names before the host it really needs
// would hide that host in every session. So the store also remembers, for the day
// and in memory only, roughly how many sessions asked for each pair: a count-min
// sketch of session counts, fed once per pair and session (a Bloom filter of the
// session's pairs says which ones it already counted). A pair that another session
// asked for too ("recurring") passes the per-session limits; random names, asked
// once, do not. The sketch may overestimate (two pairs sharing counters), never
// underestimate, except where a flooded Bloom filter takes a pair for one it already
// counted; an error only lets a single-session pair past the per-session limits,
// where the per-day limits still hold it. Nothing here is written to disk, and the
// stored session counts stay exact: they count from the session in which the pair
// was first kept.

const (
	sketchRows  = 4
	sketchWidth = 1 << 16 // counters per row (uint8, saturating): 256 KiB a day with refusals
	bloomBits   = 1 << 20 // bits of a session's filter: 128 KiB
	bloomHashes = 4
)

// recurrence is the day's sketch and the current session's filter. The Store's mu
// guards it.
type recurrence struct {
	seed   maphash.Seed
	day    dayNum
	sketch *[sketchRows][sketchWidth]uint8 // nil until the day's first refusal
	bloom  []uint64                        // the current session's pairs; nil until used
	inUse  bool                            // bloom holds pairs of the current session
}

// newRecurrence returns an empty recurrence with a seed of its own, so that names
// that collide are not the same on every terminal.
func newRecurrence() recurrence {
	return recurrence{seed: maphash.MakeSeed()}
}

// newSession forgets the current session's pairs (not the day's sketch).
func (r *recurrence) newSession() {
	if r.inUse {
		clear(r.bloom)
		r.inUse = false
	}
}

// sessions counts the pair k in the current session, once, and returns the number
// of sessions of day that asked for it, as far as the sketch knows (at least 1).
func (r *recurrence) sessions(day dayNum, k blockedKey) int {
	if r.sketch == nil || r.day != day {
		if r.sketch == nil {
			r.sketch = new([sketchRows][sketchWidth]uint8)
		} else {
			clear(r.sketch[:])
		}
		r.day = day
	}
	if r.bloom == nil {
		r.bloom = make([]uint64, bloomBits/64)
	}
	r.inUse = true
	h1, h2 := r.hash(k)
	if r.testAndSet(h1, h2) {
		return r.estimate(h1, h2)
	}
	// Conservative update: raise only the counters at the current minimum.
	est := r.estimate(h1, h2)
	if est < 255 {
		for i := range sketchRows {
			c := &r.sketch[i][(h1+uint64(i)*h2)%sketchWidth]
			if int(*c) == est {
				*c++
			}
		}
		est++
	}

	return max(est, 1)
}

// estimate returns the smallest of the pair's counters.
func (r *recurrence) estimate(h1, h2 uint64) int {
	est := 255
	for i := range sketchRows {
		est = min(est, int(r.sketch[i][(h1+uint64(i)*h2)%sketchWidth]))
	}

	return est
}

// testAndSet reports whether the session's filter already held the pair, and adds it.
func (r *recurrence) testAndSet(h1, h2 uint64) bool {
	held := true
	for i := range bloomHashes {
		bit := (h1 + uint64(i+sketchRows)*h2) % bloomBits
		w, m := bit/64, uint64(1)<<(bit%64)
		if r.bloom[w]&m == 0 {
			held = false
			r.bloom[w] |= m
		}
	}

	return held
}

// hash returns the two hashes the sketch and the filter derive their indexes from
// (Kirsch and Mitzenmacher); h2 is odd.
func (r *recurrence) hash(k blockedKey) (uint64, uint64) {
	var h maphash.Hash
	h.SetSeed(r.seed)
	h.WriteString(k.host)
	h.WriteByte(0)
	h.WriteString(k.from)
	sum := h.Sum64()

	return sum, (sum>>32 | sum<<32) | 1
}
