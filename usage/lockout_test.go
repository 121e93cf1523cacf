package usage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/communes/kiosk/usage"
	"go.etcd.io/bbolt"
)

// TestStore_Lockout saves the keypad lockout, reopens the file (which must
// still pass Open's checks) and reads it back; a reset is kept too.
func TestStore_Lockout(t *testing.T) {
	c := newConfig(t, newClock(day0))
	s := open(t, c)
	if n, until, err := s.LoadLockout(); err != nil || n != 0 || !until.IsZero() {
		t.Fatalf("LoadLockout() on a new file = %d, %v, %v; want 0, zero, nil", n, until, err)
	}
	until := day0.Add(30 * time.Second)
	if err := s.SaveLockout(5, until); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, c)
	n, got, err := s.LoadLockout()
	if err != nil || n != 5 || !got.Equal(until) {
		t.Fatalf("LoadLockout() after a reopen = %d, %v, %v; want 5, %v, nil", n, got, err, until)
	}
	if err := s.SaveLockout(0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n, got, err := s.LoadLockout(); err != nil || n != 0 || !got.IsZero() {
		t.Fatalf("LoadLockout() after a reset = %d, %v, %v; want 0, zero, nil", n, got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLockout(1, time.Time{}); !errors.Is(err, usage.ErrClosed) {
		t.Errorf("SaveLockout after Close = %v, want ErrClosed", err)
	}
}

// TestStore_Lockout_malformed checks that a damaged lockout value is an
// error (the service then refuses to start: fail closed), not a fresh count.
func TestStore_Lockout_malformed(t *testing.T) {
	c := newConfig(t, newClock(day0))
	s := open(t, c)
	if err := s.SaveLockout(3, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(c.Path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("pin_lockout"), []byte{1, 2, 3}) })
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	s = open(t, c)
	if _, _, err := s.LoadLockout(); !errors.Is(err, usage.ErrCorrupt) {
		t.Errorf("LoadLockout() of a 3-byte value = %v, want ErrCorrupt", err)
	}
}
