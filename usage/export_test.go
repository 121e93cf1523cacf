package usage

import "go.etcd.io/bbolt"

// PendingDays returns how many days have counts not yet flushed.
func PendingDays(s *Store) int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return len(s.pending)
}

// StoredDays returns how many day buckets the file holds.
func StoredDays(s *Store) int {
	n := 0
	_ = s.db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(daysBucket).Stats().BucketN - 1

		return nil
	})

	return n
}
