package usage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
)

// Before schema 3, a blocked pair ('b' host 0x00 from) stored its last time seen to the
// second: one resident's action at a known minute (issue 13). Open rewrites such a file
// into a new one, copying every key except that the pairs become day-only 'p' pairs
// (count, and one session since older files did not count them), then renames the new
// file over the old. Copying rather than rewriting in place leaves no old time in the
// file's free pages; a power cut leaves the old file or the new one.

// hasLegacy reports whether a day bucket holds a blocked pair of schema < 3.
func hasLegacy(tx *bbolt.Tx) bool {
	days := tx.Bucket(daysBucket)
	if days == nil {
		return false
	}
	found := false
	_ = days.ForEach(func(day, _ []byte) error {
		if b := days.Bucket(day); b != nil {
			if k, _ := b.Cursor().Seek([]byte{prefixLegacy}); len(k) > 0 && k[0] == prefixLegacy {
				found = true
			}
		}
		if found {
			return errStop
		}

		return nil
	})

	return found
}

// errStop ends a ForEach early.
var errStop = errors.New("stop")

// migrate rewrites the checked file at path into schema 3 (see above).
func migrate(path string, timeout time.Duration) error {
	src, err := openRW(path, timeout)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			_ = src.Close()
		}
	}()

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-migrate-*")
	if err != nil {
		return fmt.Errorf("creating the new file: %w", err)
	}
	name := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(name) // no-op after the rename

	dst, err := bbolt.Open(name, 0o600, &bbolt.Options{Timeout: timeout})
	if err != nil {
		return fmt.Errorf("opening the new file: %w", err)
	}
	dst.AllocSize = allocSize
	err = src.View(func(stx *bbolt.Tx) error {
		return dst.Update(func(dtx *bbolt.Tx) error { return copyMigrated(stx, dtx) })
	})
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copying: %w", err)
	}
	// Windows cannot rename over an open file.
	closed = true
	if err = src.Close(); err != nil {
		return fmt.Errorf("closing the old file: %w", err)
	}
	if err = os.Rename(name, path); err != nil {
		return fmt.Errorf("replacing the file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}

	return nil
}

// copyMigrated copies the checked file of stx into the empty file of dtx, with the
// legacy pairs made day-only and the schema set to 3.
func copyMigrated(stx, dtx *bbolt.Tx) error {
	meta, err := dtx.CreateBucket(metaBucket)
	if err != nil {
		return err
	}
	if err = meta.Put(schemaKey, binary.BigEndian.AppendUint64(nil, SchemaVersion)); err != nil {
		return err
	}
	days, err := dtx.CreateBucket(daysBucket)
	if err != nil {
		return err
	}
	sdays := stx.Bucket(daysBucket)
	if sdays == nil {
		return nil
	}

	return sdays.ForEach(func(day, _ []byte) error {
		sb := sdays.Bucket(day)
		if sb == nil {
			return nil
		}
		b, err := days.CreateBucket(day)
		if err != nil {
			return err
		}

		return copyDay(sb, b)
	})
}

// copyDay copies one day bucket, turning legacy pairs into day-only ones.
func copyDay(sb, b *bbolt.Bucket) error {
	return sb.ForEach(func(k, v []byte) error {
		if len(k) == 0 || k[0] != prefixLegacy {
			return b.Put(bytes.Clone(k), bytes.Clone(v))
		}
		key := append([]byte{prefixPair}, k[1:]...)
		count, sessions := u64(v), uint64(1)
		if old := b.Get(key); len(old) == 16 {
			count, sessions = count+u64(old), sessions+u64(old[8:])
		}

		return b.Put(key, pairValue(count, sessions))
	})
}
