package agent

import (
	"errors"
	"fmt"
	"github.com/communes/kiosk/internal/atomicfile"
	"os"
	"time"
)

// lockTimeout is how long a writer waits for another one.
const lockTimeout = 10 * time.Second

// errLocked is returned by tryLock when another writer holds the lock.
var errLocked = errors.New("locked")

// lockPath returns the lock file of the accounts file at path.
func lockPath(path string) string { return path + ".lock" }

// lock takes the exclusive lock of the accounts file at path (an advisory
// lock on path+".lock", created if needed, shared by every process) and
// returns the function that releases it. It waits up to lockTimeout.
func lock(path string) (unlock func(), err error) {
	lp := lockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening agents lock file: %w", err)
	}
	if err := atomicfile.ChownLike(lp, path); err != nil {
		f.Close()
		return nil, fmt.Errorf("setting agents lock file owner: %w", err)
	}
	deadline := time.Now().Add(lockTimeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", lp, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("locking %s: another kiosk process holds it for more than %s", lp, lockTimeout)
		}
		time.Sleep(wait) // no event tells when another process unlocks
	}
	return func() {
		_ = unlockFile(f)
		f.Close()
	}, nil
}
