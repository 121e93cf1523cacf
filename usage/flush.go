package usage

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// Flush writes the in-memory counts to disk, and deletes the day buckets past the
// retention when the day changed since the last time. On failure the counts stay in
// memory for the next try.
func (s *Store) Flush() error {
	_, err := s.flush()

	return err
}

// flush is Flush that also reports whether the store's health changed.
func (s *Store) flush() (changed bool, err error) {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()

	if s.closed.Load() {
		return false, ErrClosed
	}
	err = s.flushLocked()

	return s.setHealth(err), err
}

// flushLocked writes the pending counts. s.flushMu must be held.
func (s *Store) flushLocked() error {
	s.mu.Lock()
	batch := s.pending
	s.pending, s.cur, s.nBlocked = map[dayNum]*dayPending{}, nil, 0
	s.mu.Unlock()

	today := dayIn(s.now(), s.loc)
	retain := today != s.lastRetention
	if len(batch) == 0 && !retain {
		return nil
	}

	err := s.db.Update(func(tx *bbolt.Tx) error {
		days, err := tx.CreateBucketIfNotExists(daysBucket)
		if err != nil {
			return err
		}
		for day, p := range batch {
			if day < s.firstKept(today) {
				continue
			}
			if len(p.blocked) > 0 {
				// Day-only pairs: an older kiosk must not read them as its own.
				if err = upgradeSchema(tx, SchemaVersion); err != nil {
					return err
				}
			}
			if err = writePending(days, day, p); err != nil {
				return fmt.Errorf("day %s: %w", day, err)
			}
		}
		if retain {
			return s.deleteOld(days, today)
		}

		return nil
	})
	if err != nil {
		s.restore(batch)

		return fmt.Errorf("flushing usage counts: %w", err)
	}
	s.lastRetention = today

	return nil
}

// restore merges batch, which could not be written, back into the pending counts.
func (s *Store) restore(batch map[dayNum]*dayPending) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for day, old := range batch {
		p := s.pending[day]
		if p == nil {
			s.pending[day] = old
			s.nBlocked += len(old.blocked)

			continue
		}
		for i, n := range old.counters {
			p.counters[i] += n
		}
		p.dropped += old.dropped
		for k, v := range old.blocked {
			if cur, ok := p.blocked[k]; ok {
				cur.count += v.count
				cur.sessions += v.sessions
			} else {
				p.blocked[k] = v
				s.nBlocked++
			}
		}
	}
	s.cur = nil
}

// writePending adds the counts of p to the bucket of day.
func writePending(days *bbolt.Bucket, day dayNum, p *dayPending) error {
	b, err := days.CreateBucketIfNotExists(day.key())
	if err != nil {
		return err
	}
	for k, n := range p.counters {
		if err = addU64(b, counterKey(Counter(k).String()), n); err != nil {
			return err
		}
	}

	t, err := writeBlocked(b, p.blocked)
	if err != nil {
		return err
	}
	adds := []increment{
		{counterKey(keyBlocked), p.dropped + t.requests},
		{counterKey(keyBlockedPairs), t.added},
		{counterKey(keyBlockedDropped), p.dropped + t.dropped},
		{counterKey(keyBlockedEvicted), t.evicted},
	}
	for _, a := range adds {
		if err = addU64(b, a.key, a.n); err != nil {
			return err
		}
	}

	return nil
}

// firstKept returns the oldest day kept by the retention when today is today.
func (s *Store) firstKept(today dayNum) dayNum {
	if int(today) < s.retention {
		return 0
	}

	return today - dayNum(s.retention) + 1
}

// deleteOld deletes the day buckets older than the retention.
func (s *Store) deleteOld(days *bbolt.Bucket, today dayNum) error {
	limit := s.firstKept(today).key()
	var old [][]byte
	c := days.Cursor()
	for k, _ := c.First(); k != nil && string(k) < string(limit); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := days.DeleteBucket(k); err != nil {
			return fmt.Errorf("deleting day %x: %w", k, err)
		}
	}
	if len(old) > 0 {
		s.logger.Debug("usage retention", "deleted_days", len(old))
	}

	return nil
}
