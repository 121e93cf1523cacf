package usage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// BlockedHosts returns the blocked (host, from) pairs of the calendar days from..to
// (inclusive), most frequent first, including counts not yet flushed. It returns an
// error wrapping ErrInvalid for a bad range, like Report.
func (s *Store) BlockedHosts(from, to time.Time) ([]BlockedHost, error) {
	d0, d1, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	agg := map[blockedKey]*blockedVal{}
	merge := func(k blockedKey, count uint64, last int64) {
		if v, ok := agg[k]; ok {
			v.count += count
			v.last = max(v.last, last)
		} else {
			agg[k] = &blockedVal{count: count, last: last}
		}
	}

	s.flushMu.Lock()
	defer s.flushMu.Unlock()

	if s.closed.Load() {
		return nil, ErrClosed
	}
	err = s.forDays(d0, d1, func(_ dayNum, b *bbolt.Bucket) {
		c := b.Cursor()
		for k, v := c.Seek([]byte{prefixBlocked}); len(k) > 0 && k[0] == prefixBlocked; k, v = c.Next() {
			host, from, ok := bytes.Cut(k[1:], []byte{0})
			if !ok || len(v) != 16 {
				continue
			}
			merge(blockedKey{string(host), string(from)}, u64(v), int64(binary.BigEndian.Uint64(v[8:])))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("reading blocked hosts: %w", err)
	}

	s.mu.Lock()
	for day, p := range s.pending {
		if day >= d0 && day <= d1 {
			for k, v := range p.blocked {
				merge(k, v.count, v.last)
			}
		}
	}
	s.mu.Unlock()

	out := make([]BlockedHost, 0, len(agg))
	for k, v := range agg {
		out = append(out, BlockedHost{Host: k.host, From: k.from, Count: v.count, LastSeen: time.Unix(v.last, 0).In(s.loc)})
	}
	slices.SortFunc(out, func(a, b BlockedHost) int {
		return cmp.Or(
			cmp.Compare(b.Count, a.Count),
			b.LastSeen.Compare(a.LastSeen),
			cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.From, b.From),
		)
	})

	return out, nil
}
