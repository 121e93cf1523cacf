package usage

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// lockoutKey holds the agents' keypad lockout in the meta bucket, so that a
// restart of the service does not open a fresh set of PIN guesses:
//
//	meta/pin_lockout -> uint64 wrong PINs in a row, int64 locked until (unix nanoseconds, 0 = not locked)
//
// Only a count and a time: nothing about who typed or which PIN. Older versions skip
// the key (they read meta/schema only).
var lockoutKey = []byte("pin_lockout")

// LoadLockout returns the keypad lockout saved by SaveLockout: the wrong PINs in a row
// and the end of the lock (zero when there is none). A file without one returns 0 and
// the zero time. A malformed value is an error wrapping ErrCorrupt.
func (s *Store) LoadLockout() (failures int, lockedUntil time.Time, err error) {
	if s.closed.Load() {
		return 0, time.Time{}, ErrClosed
	}
	err = s.db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(metaBucket)
		if meta == nil {
			return nil
		}
		v := meta.Get(lockoutKey)
		if v == nil {
			return nil
		}
		if len(v) != 16 {
			return fmt.Errorf("%w: pin lockout value of %d bytes", ErrCorrupt, len(v))
		}
		n := binary.BigEndian.Uint64(v)
		if n > 1<<31 {
			return fmt.Errorf("%w: pin lockout count %d", ErrCorrupt, n)
		}
		failures = int(n)
		if ns := int64(binary.BigEndian.Uint64(v[8:])); ns != 0 {
			lockedUntil = time.Unix(0, ns)
		}
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("loading pin lockout: %w", err)
	}
	return failures, lockedUntil, nil
}

// SaveLockout writes the keypad lockout at once (one write transaction, synced), so
// that it survives a crash right after a wrong PIN.
func (s *Store) SaveLockout(failures int, lockedUntil time.Time) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if failures < 0 {
		failures = 0
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(failures))
	var ns int64
	if !lockedUntil.IsZero() {
		ns = lockedUntil.UnixNano()
	}
	v = binary.BigEndian.AppendUint64(v, uint64(ns))
	err := s.db.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		return meta.Put(lockoutKey, v)
	})
	s.setHealth(err)
	if err != nil {
		return fmt.Errorf("saving pin lockout: %w", err)
	}
	return nil
}
