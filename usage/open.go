package usage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"
)

// Open opens or creates the usage file c.Path. It returns an error wrapping ErrLocked
// when another process holds the file (after c.OpenTimeout), ErrCorrupt for a file that
// is not a valid kiosk usage file and ErrNewerSchema for a file from a newer version; in
// those cases the file is not modified. It deletes day buckets older than the retention
// and starts the background flush loop. c must not be nil.
func Open(c *Config) (*Store, error) {
	if c == nil || c.Path == "" {
		return nil, fmt.Errorf("opening usage store: %w: empty path", ErrInvalid)
	}
	s := &Store{
		logger:    c.Logger,
		now:       c.Now,
		loc:       c.Location,
		retention: c.RetentionDays,
		pending:   map[dayNum]*dayPending{},
		recur:     newRecurrence(),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.retention <= 0 {
		s.retention = DefaultRetentionDays
	}
	timeout := c.OpenTimeout
	if timeout <= 0 {
		timeout = DefaultOpenTimeout
	}

	fi, err := os.Stat(c.Path)
	existing := err == nil && fi.Size() > 0
	if existing {
		// Check an existing file read-only first, so that a bad one is never written.
		legacy, err := check(c.Path, timeout)
		if err != nil {
			return nil, fmt.Errorf("opening usage file %s: %w", c.Path, err)
		}
		if legacy {
			if err = migrate(c.Path, timeout); err != nil {
				return nil, fmt.Errorf("migrating usage file %s: %w", c.Path, err)
			}
			s.logger.Info("usage file migrated: blocked hosts keep the day only", "file", c.Path)
		}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("opening usage file: %w", err)
	}

	db, err := openRW(c.Path, timeout)
	if err != nil {
		return nil, fmt.Errorf("opening usage file %s: %w", c.Path, err)
	}
	// Grow the file 1 MiB at a time rather than to the next power of two.
	db.AllocSize = allocSize
	s.db = db
	if err = s.init(); err != nil {
		_ = db.Close()

		return nil, fmt.Errorf("initialising usage file %s: %w", c.Path, err)
	}

	interval := c.FlushInterval
	if interval == 0 {
		interval = DefaultFlushInterval
	}
	if interval > 0 {
		go s.loop(interval)
	} else {
		close(s.done)
	}

	return s, nil
}

// allocSize is the step by which the file grows.
const allocSize = 1 << 20

// openRW opens the file for writing. bbolt reads the free page list here, so a damaged
// file can still fail at this point: it's reported as ErrCorrupt, not a crash.
func openRW(path string, timeout time.Duration) (db *bbolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, fmt.Errorf("%w: opening it failed: %v", ErrCorrupt, p)
		}
	}()

	db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if err != nil {
		return nil, lockErr(err)
	}

	return db, nil
}

// lockErr turns bbolt's lock timeout into ErrLocked.
func lockErr(err error) error {
	if errors.Is(err, bberrors.ErrTimeout) {
		return fmt.Errorf("%w: %w", ErrLocked, err)
	}

	return err
}

// init writes the schema version into a new file and applies retention.
func (s *Store) init() error {
	today := dayIn(s.now(), s.loc)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		if meta.Get(schemaKey) == nil {
			err = meta.Put(schemaKey, binary.BigEndian.AppendUint64(nil, SchemaVersion))
			if err != nil {
				return err
			}
		}
		days, err := tx.CreateBucketIfNotExists(daysBucket)
		if err != nil {
			return err
		}

		return s.deleteOld(days, today)
	})
	if err != nil {
		return err
	}
	s.lastRetention = today

	return nil
}

// check opens the existing file read-only and verifies that it's a readable kiosk
// usage file of a schema this version knows. It never writes. legacy reports blocked
// pairs stored with their time (schema < 3), which migrate rewrites.
func check(path string, timeout time.Duration) (legacy bool, err error) {
	// A damaged file can make bbolt read outside the mapping or fail an assertion:
	// turn both into ErrCorrupt rather than a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: reading it failed: %v", ErrCorrupt, p)
		}
	}()

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	switch {
	case errors.Is(err, bberrors.ErrTimeout):
		return false, lockErr(err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrNotExist):
		return false, err
	case err != nil:
		return false, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	defer func() { _ = db.Close() }()

	// The shared lock is held: nobody writes the file while it's read.
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	if err = rawCheck(data); err != nil {
		return false, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	err = db.View(func(tx *bbolt.Tx) error {
		if err := checkLayout(tx); err != nil {
			return err
		}
		legacy = hasLegacy(tx)

		return nil
	})

	return legacy, err
}

// checkLayout verifies the schema version and reads every key of the file.
func checkLayout(tx *bbolt.Tx) error {
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if empty {
			// A new file whose initialisation was interrupted.
			return nil
		}

		return fmt.Errorf("%w: no schema version", ErrCorrupt)
	}
	v := meta.Get(schemaKey)
	if len(v) != 8 || binary.BigEndian.Uint64(v) == 0 {
		return fmt.Errorf("%w: bad schema version %x", ErrCorrupt, v)
	}
	if n := binary.BigEndian.Uint64(v); n > SchemaVersion {
		return fmt.Errorf("%w: schema %d, this version reads up to %d", ErrNewerSchema, n, SchemaVersion)
	}

	err := tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		if string(name) != string(metaBucket) && string(name) != string(daysBucket) {
			return fmt.Errorf("unexpected bucket %q", name)
		}

		return nil
	})
	if err == nil {
		if days := tx.Bucket(daysBucket); days != nil {
			err = checkDays(days)
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}

	return nil
}

// sink receives touch's results so that the reads aren't optimised away.
var sink atomic.Uint32

// touch reads every byte of b.
func touch(b []byte) {
	var x byte
	for _, c := range b {
		x ^= c
	}
	sink.Add(uint32(x))
}

// checkDays verifies every day bucket.
func checkDays(days *bbolt.Bucket) error {
	return days.ForEach(func(day, v []byte) error {
		if len(day) != 4 || v != nil {
			return fmt.Errorf("bad day key %x", day)
		}

		var prev []byte
		return days.Bucket(day).ForEach(func(k, v []byte) error {
			// Read every byte, so that an unreadable page faults here, under
			// SetPanicOnFault, rather than later.
			touch(k)
			touch(v)
			if bytes.Compare(prev, k) >= 0 {
				return fmt.Errorf("keys out of order in day %x", day)
			}
			prev = k
			if len(k) > 0 && k[0] == prefixAudit {
				return checkAuditEntry(k, v)
			}
			want := 8
			if len(k) > 0 && (k[0] == prefixPair || k[0] == prefixLegacy) {
				want = 16
			}
			if len(k) < 2 || len(v) != want {
				return fmt.Errorf("bad entry %q in day %x", k, day)
			}

			return nil
		})
	})
}
