package session_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/fakeclock"
	"github.com/communes/kiosk/session"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// clock is the tests' settable clock.
type clock = fakeclock.Clock

// newClock returns a clock that reads t.
func newClock(t time.Time) *clock { return fakeclock.New(t) }

// recorder keeps the usage events as text, and the End values.
type recorder struct {
	mu     sync.Mutex
	events []string
	ends   []session.End
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
}

func (r *recorder) Started(at time.Time, supervised bool, lang string) {
	r.add(fmt.Sprintf("started %s %v", lang, supervised))
}

func (r *recorder) Ended(e session.End) error {
	r.mu.Lock()
	r.ends = append(r.ends, e)
	r.mu.Unlock()
	r.add("ended " + e.Reason)
	return nil
}

func (r *recorder) Satisfaction(a string) { r.add("satisfaction " + a) }
func (r *recorder) Help()                 { r.add("help") }
func (r *recorder) Printed()              { r.add("printed") }
func (r *recorder) WipeFailed()           { r.add("wipefailed") }

func (r *recorder) AgentUnlock() { r.add("agent_unlock") }
func (r *recorder) Extension()   { r.add("extension") }
func (r *recorder) Override()    { r.add("override") }

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, "; ")
}

func (r *recorder) lastEnd(t *testing.T) session.End {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ends) == 0 {
		t.Fatalf("no session end recorded")
	}
	return r.ends[len(r.ends)-1]
}

// newTest returns a controller on a fake clock at t0, with a recorder.
func newTest(t testing.TB, conf session.Config) (*session.Controller, *clock, *recorder) {
	t.Helper()
	clk := newClock(t0)
	rec := &recorder{}
	conf.Now = clk.Now
	conf.Recorder = rec
	conf.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := session.New(&conf)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, clk, rec
}
