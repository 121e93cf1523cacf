package watch_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/internal/wait"
)

const (
	listA = "version: 1\nsites:\n  - name: CAF\n    hosts: [caf.fr]\n"
	listB = listA + "  - name: MSA\n    hosts: [msa.fr]\n"
	bad   = "version: 1\nsites:\n  - name: X\n    hostz: [x.fr]\n"
)

// TestHolder_Apply: a file that does not validate is refused and recorded,
// and the last good list stays in force.
func TestHolder_Apply(t *testing.T) {
	var mu sync.Mutex
	var observed []error
	h := &watch.Holder{Observe: func(err error) { mu.Lock(); observed = append(observed, err); mu.Unlock() }}
	if h.Load() != nil {
		t.Fatal("a new Holder has a list")
	}
	var changed int
	h.OnChange(func(*allowlist.List) { changed++ })
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if err := h.Apply([]byte(listA), "a.yaml", t0); err != nil {
		t.Fatal(err)
	}
	if err := h.Apply([]byte(bad), "a.yaml", t0.Add(time.Minute)); err == nil {
		t.Fatal("Apply(bad) = nil, want the parse error")
	}
	st := h.Status()
	if st.Sites != 1 || st.File != "a.yaml" || !st.LoadedAt.Equal(t0) || st.Err == nil || !st.ErrAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("Status after a refused file = %+v, want listA in force and the error", st)
	}
	if string(h.Data()) != listA || len(h.Load().Sites) != 1 {
		t.Errorf("in force after a refused file: %q", h.Data())
	}
	if changed != 1 || len(observed) != 2 || observed[0] != nil || observed[1] == nil {
		t.Errorf("OnChange called %d times, Observe got %v; want 1 and [nil, error]", changed, observed)
	}
}

// TestHolder_Watch: an editor's save by rename and a reload request are
// both applied; a broken save is refused.
func TestHolder_Watch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "allowlist.yaml")
	write := func(data string) {
		t.Helper()
		tmp := filepath.Join(dir, ".allowlist.yaml.swp")
		if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write(listA)
	h := &watch.Holder{}
	if err := h.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reload := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- h.Watch(ctx, path, reload, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	// The watcher starts asynchronously: a save before it watches is
	// caught by the reload request below.
	reload <- struct{}{}

	write(listB)
	wait.Until(t, 10*time.Second, "the saved list in force", func() bool { return string(h.Data()) == listB })
	write(bad)
	wait.Until(t, 10*time.Second, "the broken save refused", func() bool { return h.Status().Err != nil })
	if string(h.Data()) != listB {
		t.Errorf("after a broken save: %q in force, want listB", h.Data())
	}
	// A write in place is applied too.
	if err := os.WriteFile(path, []byte(listA), 0o644); err != nil {
		t.Fatal(err)
	}
	reload <- struct{}{}
	wait.Until(t, 10*time.Second, "listA in force again", func() bool { return string(h.Data()) == listA })

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch after its context ended = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}
