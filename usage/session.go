package usage

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Valid reports whether r is one of EndReasons.
func (r EndReason) Valid() bool {
	for _, v := range EndReasons {
		if r == v {
			return true
		}
	}

	return false
}

// SessionEnded records a completed session and returns once it is committed to disk
// (fsync), so an acknowledged session survives a power cut. It returns an error
// wrapping ErrInvalid when r.Reason is not valid. Sites and Lang are sanitised; r.Start
// decides the day (r.End when Start is zero), and a session older than the retention is
// not stored. It also ends the session for the blocked pairs' session counts (see
// NewSession).
func (s *Store) SessionEnded(r Session) error {
	if !r.Reason.Valid() {
		return fmt.Errorf("recording session: %w: end reason %q", ErrInvalid, r.Reason)
	}
	if s.closed.Load() {
		return ErrClosed
	}
	start := r.Start
	if start.IsZero() {
		start = r.End
	}
	if start.IsZero() {
		start = s.now()
	}
	day := dayIn(start, s.loc)
	if day < s.firstKept(dayIn(s.now(), s.loc)) {
		return nil
	}

	err := s.db.Update(func(tx *bbolt.Tx) error {
		days, err := tx.CreateBucketIfNotExists(daysBucket)
		if err != nil {
			return err
		}
		b, err := days.CreateBucketIfNotExists(day.key())
		if err != nil {
			return err
		}

		return putSession(b, r, start.In(s.loc).Hour())
	})
	s.setHealth(err)
	// What is refused from now on belongs to another session.
	s.NewSession()
	if err != nil {
		return fmt.Errorf("recording session: %w", err)
	}

	return nil
}

// putSession adds session r, started at hour, to the day bucket b.
func putSession(b *bbolt.Bucket, r Session, hour int) error {
	total := time.Duration(0)
	if !r.Start.IsZero() && !r.End.IsZero() {
		total = r.End.Sub(r.Start)
	} else {
		total = max(r.Active, 0) + max(r.Idle, 0)
	}
	total = max(total, 0)
	minutes := min(int(total/time.Minute), maxMinutes)

	adds := []increment{
		{counterKey(keySessions), 1},
		{counterKey(keyDuration), seconds(total)},
		{counterKey(keyActive), seconds(r.Active)},
		{counterKey(keyIdle), seconds(r.Idle)},
		{prefixed(prefixEnded, string(r.Reason)), 1},
		{[]byte{prefixHour, byte(hour)}, 1},
		{binary.BigEndian.AppendUint16([]byte{prefixDuration}, uint16(minutes)), 1},
	}
	if r.Supervised {
		adds = append(adds, increment{counterKey(keySupervised), 1})
	}
	if lang := cleanLang(r.Lang); lang != "" {
		adds = append(adds, increment{prefixed(prefixLang, lang), 1})
	}
	for _, site := range cleanSites(r.Sites) {
		adds = append(adds, increment{prefixed(prefixSite, site), 1})
	}
	for _, a := range adds {
		if err := addU64(b, a.key, a.n); err != nil {
			return err
		}
	}

	return nil
}

// increment is an addition to a stored count.
type increment struct {
	key []byte
	n   uint64
}

// seconds returns d in whole seconds, 0 when negative.
func seconds(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}

	return uint64(d / time.Second)
}
