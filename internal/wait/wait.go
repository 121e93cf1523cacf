// Package wait gives tests one way to wait for a condition that no event
// announces: poll it with a short, growing interval until it holds or a
// bounded deadline passes, then fail the test with a message that names
// what was awaited and how long.
//
// Use it only where there is nothing to await (a background loop's effect,
// a page's own polling, an accept loop); prefer a channel or an event when
// one exists. Deadlines should be generous: CI is a busy 2-core machine.
package wait

import (
	"fmt"
	"testing"
	"time"
)

const (
	// firstInterval is the pause after the first failed check.
	firstInterval = time.Millisecond
	// maxInterval bounds the pause between two checks.
	maxInterval = 100 * time.Millisecond
)

// Until calls cond until it returns true and returns at once when it does.
// If timeout passes first, it fails t (t.Fatalf) with a message naming what
// and the timeout. The pause between calls starts at 1 ms and doubles up to
// 100 ms. cond runs on the calling goroutine.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if err := poll(timeout, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	}); err != nil {
		t.Fatalf("%s: not true within %s", what, timeout)
	}
}

// UntilErr is Until for a condition that explains itself: it calls cond
// until it returns nil. If timeout passes first, it fails t with what, the
// timeout and cond's last error.
func UntilErr(t testing.TB, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	if err := poll(timeout, cond); err != nil {
		t.Fatalf("%s: not true within %s: %v", what, timeout, err)
	}
}

// errNotYet is Until's reason for another call.
var errNotYet = fmt.Errorf("condition false")

// poll calls cond until it returns nil or timeout passes; it returns cond's
// last error, or nil. cond is always called at least once, and once more
// after the deadline if the last pause went beyond it.
func poll(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	interval := firstInterval
	for {
		err := cond()
		if err == nil {
			return nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return err
		}
		time.Sleep(min(interval, left)) // poll interval of a deadline-bounded wait
		interval = min(2*interval, maxInterval)
	}
}
