package usage

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// maxSignatureLen bounds a stored signature name (ClamAV's are shorter).
const maxSignatureLen = 128

// Threat counts one file of a resident's USB key that the antivirus
// refused, under its signature name ("Win.Test.EICAR_HDB-1"), for today;
// it returns once the count is committed. Only the signature is stored,
// never a file name: a name that is not a signature (anything but ASCII
// letters, digits and . _ - : /, or longer than 128 bytes) is refused with
// an error wrapping ErrInvalid.
func (s *Store) Threat(signature string) error {
	if !validSignature(signature) {
		return fmt.Errorf("recording a threat: %w: not a signature name", ErrInvalid)
	}
	if s.closed.Load() {
		return ErrClosed
	}
	day := dayIn(s.now(), s.loc)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		days, err := tx.CreateBucketIfNotExists(daysBucket)
		if err != nil {
			return err
		}
		b, err := days.CreateBucketIfNotExists(day.key())
		if err != nil {
			return err
		}

		return addU64(b, prefixed(prefixThreat, signature), 1)
	})
	s.setHealth(err)
	if err != nil {
		return fmt.Errorf("recording a threat: %w", err)
	}

	return nil
}

// validSignature says whether s looks like an antivirus signature name.
func validSignature(s string) bool {
	if s == "" || len(s) > maxSignatureLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':' || c == '/') {
			return false
		}
	}

	return true
}
