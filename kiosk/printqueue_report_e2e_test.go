//go:build linux && e2e

package kiosk

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/testcups"
)

// printerReports collects what a printQueue reports.
type printerReports struct {
	mu  sync.Mutex
	got []printerState
}

type printerState struct {
	failing bool
	queued  int
}

func (r *printerReports) report(_ context.Context, failing bool, queued int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, printerState{failing, queued})
}

func (r *printerReports) all() []printerState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]printerState(nil), r.got...)
}

// TestPrintQueue_Reports: the shell tells the service (fleet monitoring)
// that the printer is fine when the queue is empty after a session, failing
// when a session's jobs were still stuck after the grace (a stopped queue:
// out of paper), and failing when CUPS cannot be asked.
func TestPrintQueue_Reports(t *testing.T) {
	cups := testcups.Start(t)
	cups.AddQueue("kiosk-test", true) // stopped: nothing prints
	t.Setenv("CUPS_SERVER", cups.Socket)
	q := testQueue(t, "kiosk-test", 200*time.Millisecond)
	rep := &printerReports{}
	q.report = rep.report

	if err := q.afterSession(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	submit(t, cups, "kiosk-test", 0)
	submit(t, cups, "kiosk-test", 0)
	if err := q.afterSession(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	q.wait()
	want := []printerState{{false, 0}, {true, 2}}
	if got := rep.all(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("reports = %+v, want %+v (empty queue, then 2 jobs stuck past the grace)", got, want)
	}

	t.Setenv("CUPS_SERVER", t.TempDir()+"/no-cupsd.sock")
	if err := q.afterSession(context.Background(), true); err == nil {
		t.Error("afterSession with CUPS down: no error")
	}
	if got := rep.all(); len(got) != 3 || got[2] != (printerState{true, 0}) {
		t.Errorf("reports = %+v, want a failing report when CUPS cannot be asked", got)
	}
}
