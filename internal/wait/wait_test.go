package wait_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/wait"
)

// recorder is a testing.TB that records Fatalf instead of stopping the test.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestUntil_returnsOnTrue(t *testing.T) {
	var calls atomic.Int32
	r := &recorder{TB: t}
	start := time.Now()
	wait.Until(r, 10*time.Second, "third call", func() bool { return calls.Add(1) == 3 })
	if r.failed != "" {
		t.Fatalf("Until failed: %s", r.failed)
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("cond called %d times, want 3 (no call after true)", got)
	}
	// Two pauses of 1 and 2 ms: far below the 100 ms cap, let alone the timeout.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Until took %s for a condition true on the third call", d)
	}
}

func TestUntil_trueAtOnceDoesNotSleep(t *testing.T) {
	r := &recorder{TB: t}
	start := time.Now()
	for range 100 {
		wait.Until(r, time.Second, "true", func() bool { return true })
	}
	if r.failed != "" {
		t.Fatalf("Until failed: %s", r.failed)
	}
	// 100 waits with even the first 1 ms pause would take 100 ms.
	if d := time.Since(start); d >= 100*time.Millisecond {
		t.Errorf("100 Until of a true condition took %s, want no sleep", d)
	}
}

func TestUntil_failsAfterTimeout(t *testing.T) {
	r := &recorder{TB: t}
	start := time.Now()
	wait.Until(r, 150*time.Millisecond, "the moon", func() bool { return false })
	d := time.Since(start)
	if !strings.Contains(r.failed, "the moon") || !strings.Contains(r.failed, "150ms") {
		t.Errorf("failure = %q, want it to name what and the timeout", r.failed)
	}
	if d < 150*time.Millisecond || d > 5*time.Second {
		t.Errorf("Until gave up after %s, want about 150ms", d)
	}
}

func TestUntilErr_reportsLastError(t *testing.T) {
	r := &recorder{TB: t}
	n := 0
	wait.UntilErr(r, 50*time.Millisecond, "the count", func() error {
		n++
		return fmt.Errorf("count is %d", n)
	})
	if want := fmt.Sprintf("count is %d", n); !strings.Contains(r.failed, want) || !strings.Contains(r.failed, "the count") {
		t.Errorf("failure = %q, want what and the last error %q", r.failed, want)
	}

	r = &recorder{TB: t}
	calls := 0
	wait.UntilErr(r, 10*time.Second, "second call", func() error {
		if calls++; calls < 2 {
			return errors.New("first")
		}
		return nil
	})
	if r.failed != "" || calls != 2 {
		t.Errorf("UntilErr: failed %q after %d calls, want success after 2", r.failed, calls)
	}
}
