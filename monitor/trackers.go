package monitor

import (
	"sync"
	"time"
)

// ShellTracker knows whether the shell is connected: the shell keeps one
// long poll of the local API's state open at all times (docs/api.md), so
// a poll in flight, or one that ended less than Grace ago, means it is
// there. The zero value is ready; it's safe for concurrent use.
type ShellTracker struct {
	// Grace is how long after its last poll the shell still counts as
	// connected (the time between two polls). If zero, DefaultShellGrace.
	Grace time.Duration

	mu       sync.Mutex
	inFlight int
	lastSeen time.Time
}

// DefaultShellGrace is ShellTracker.Grace when zero.
const DefaultShellGrace = 30 * time.Second

// Begin notes a state poll starting at now; call the returned function
// when it ends.
func (t *ShellTracker) Begin(now func() time.Time) (end func()) {
	t.mu.Lock()
	t.inFlight++
	t.lastSeen = now()
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		t.inFlight--
		t.lastSeen = now()
		t.mu.Unlock()
	}
}

// Connected reports whether the shell is connected at now, and when it
// was last seen (zero if never).
func (t *ShellTracker) Connected(now time.Time) (bool, time.Time) {
	grace := t.Grace
	if grace <= 0 {
		grace = DefaultShellGrace
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.inFlight > 0 || (!t.lastSeen.IsZero() && now.Sub(t.lastSeen) < grace), t.lastSeen
}

// WipeTracker keeps the result and time of the last wipe. The zero value
// is ready; it's safe for concurrent use.
type WipeTracker struct {
	mu sync.Mutex
	at time.Time
	ok bool
}

// Record notes a wipe's result at time at.
func (t *WipeTracker) Record(at time.Time, ok bool) {
	t.mu.Lock()
	t.at, t.ok = at, ok
	t.mu.Unlock()
}

// Last returns the last wipe's time and result; at is zero before the
// first wipe since the service started.
func (t *WipeTracker) Last() (at time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.at, t.ok
}

// PrinterReport is the printer's state as the shell reports it.
type PrinterReport struct {
	// At is when the report arrived.
	At time.Time
	// Failing is true when the last print could not be handed to CUPS or
	// jobs stayed stuck in the queue after a session.
	Failing bool
	// Queued is the number of jobs in the queue at the report.
	Queued int
}

// PrinterTracker keeps the shell's last printer report. The zero value is
// ready; it's safe for concurrent use.
type PrinterTracker struct {
	mu   sync.Mutex
	last PrinterReport
}

// Report records r.
func (t *PrinterTracker) Report(r PrinterReport) {
	t.mu.Lock()
	t.last = r
	t.mu.Unlock()
}

// Last returns the last report; At is zero when the shell has sent none
// (no printer, or nothing printed since the service started).
func (t *PrinterTracker) Last() PrinterReport {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}
