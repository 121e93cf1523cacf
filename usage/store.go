package usage

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
)

// Store is the usage store. Its methods are safe for concurrent use.
type Store struct {
	db        *bbolt.DB
	logger    *slog.Logger
	now       func() time.Time
	loc       *time.Location
	retention int

	// mu guards the in-memory counts below. It's the only lock taken by Blocked and
	// Count.
	mu       sync.Mutex
	pending  map[dayNum]*dayPending
	nBlocked int         // distinct blocked pairs in pending
	cur      *dayPending // pending[day of curStart], nil when unknown
	curDay   dayNum      // cur's day
	curStart int64       // unix seconds, start of cur's day
	curEnd   int64       // unix seconds, start of the next day
	sess     sessionPairs
	recur    recurrence // which pairs other sessions asked for too (recurrence.go)

	// flushMu serialises flushes with the reads that merge pending counts, so that a
	// reader never misses counts being written.
	flushMu       sync.Mutex
	lastRetention dayNum // guarded by flushMu

	healthMu  sync.Mutex
	lastErr   error // last write error, guarded by healthMu
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	stop      chan struct{}
	done      chan struct{}
}

// Close stops the flush loop, flushes pending counts and closes the file. Later calls
// return the first call's result. Counts recorded after Close are discarded.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		s.flushMu.Lock()
		defer s.flushMu.Unlock()

		s.closed.Store(true)
		flushErr := s.flushLocked()
		dbErr := s.db.Close()
		if dbErr != nil {
			dbErr = fmt.Errorf("closing usage file: %w", dbErr)
		}
		s.closeErr = errors.Join(flushErr, dbErr)
	})

	return s.closeErr
}

// Healthy returns nil when the store is open and its last write to disk (flush or
// session end) succeeded.
func (s *Store) Healthy() error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.healthMu.Lock()
	defer s.healthMu.Unlock()

	if s.lastErr != nil {
		return fmt.Errorf("usage store: last write failed: %w", s.lastErr)
	}

	return nil
}

// setHealth records the result of a write and reports whether the health changed.
func (s *Store) setHealth(err error) (changed bool) {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()

	changed = (err == nil) != (s.lastErr == nil)
	s.lastErr = err

	return changed
}

// loop flushes every interval until stop is closed.
func (s *Store) loop(interval time.Duration) {
	defer close(s.done)

	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			changed, err := s.flush()
			if changed {
				if err != nil {
					s.logger.Error("flushing usage counts", "err", err)
				} else {
					s.logger.Info("flushing usage counts works again")
				}
			}
		}
	}
}
