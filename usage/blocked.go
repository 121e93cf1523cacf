package usage

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// blockedSum is a blocked pair summed over a range of days.
type blockedSum struct {
	count, sessions uint64
	days            int
	last            dayNum
}

// add adds one day's count and sessions.
func (v *blockedSum) add(day dayNum, count, sessions uint64) {
	v.count += count
	v.sessions += sessions
	if v.days == 0 || day != v.last {
		v.days++
	}
	v.last = max(v.last, day)
}

// BlockedHosts returns the blocked (host, from) pairs of the calendar days from..to
// (inclusive), including counts not yet flushed: those asked for by the most sessions
// first, then the most requests. It returns an error wrapping ErrInvalid for a bad
// range, like Report.
func (s *Store) BlockedHosts(from, to time.Time) ([]BlockedHost, error) {
	d0, d1, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	agg := map[blockedKey]*blockedSum{}
	merge := func(day dayNum, k blockedKey, count, sessions uint64) {
		v := agg[k]
		if v == nil {
			v = &blockedSum{}
			agg[k] = v
		}
		v.add(day, count, sessions)
	}

	s.flushMu.Lock()
	defer s.flushMu.Unlock()

	if s.closed.Load() {
		return nil, ErrClosed
	}
	// Days are read in order, so that a pair's days count each day once.
	err = s.forDays(d0, d1, func(day dayNum, b *bbolt.Bucket) {
		c := b.Cursor()
		for k, v := c.Seek([]byte{prefixPair}); len(k) > 0 && k[0] == prefixPair; k, v = c.Next() {
			host, from, ok := bytes.Cut(k[1:], []byte{0})
			if !ok || len(v) != 16 {
				continue
			}
			merge(day, blockedKey{string(host), string(from)}, u64(v), u64(v[8:]))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("reading blocked hosts: %w", err)
	}

	s.mu.Lock()
	days := make([]dayNum, 0, len(s.pending))
	for day := range s.pending {
		if day >= d0 && day <= d1 {
			days = append(days, day)
		}
	}
	slices.Sort(days)
	for _, day := range days {
		for k, v := range s.pending[day].blocked {
			merge(day, k, v.count, v.sessions)
		}
	}
	s.mu.Unlock()

	out := make([]BlockedHost, 0, len(agg))
	for k, v := range agg {
		out = append(out, BlockedHost{Host: k.host, From: k.from, Count: v.count, Sessions: v.sessions,
			Days: v.days, LastDay: v.last.String()})
	}
	slices.SortFunc(out, func(a, b BlockedHost) int {
		return cmp.Or(
			cmp.Compare(b.Sessions, a.Sessions),
			cmp.Compare(b.Count, a.Count),
			cmp.Compare(b.LastDay, a.LastDay),
			cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.From, b.From),
		)
	})

	return out, nil
}
