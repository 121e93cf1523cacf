// Package watch keeps the allowlist in force for the service: it loads the
// file, re-reads it when it changes on disk or when asked (SIGHUP), and
// refuses a file that does not validate, leaving the last good list in
// force.
//
// It is apart from package allowlist, which the browser process also
// imports, so that only the service carries the file watcher (fsnotify).
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/communes/kiosk/allowlist"
)

// Holder keeps the allowlist in force and what the admin page shows about
// it. The list is swapped atomically: a reload that fails leaves the last
// good list in force, so a broken file can never open more (or less) than
// the last file that validated. The zero value holds no list; it's safe for
// concurrent use.
type Holder struct {
	// Observe, if set before the first load, is told the result of every
	// load attempt (metrics). Nil: nobody is told.
	Observe func(err error)

	list atomic.Pointer[allowlist.List]

	mu       sync.Mutex
	file     string
	data     []byte
	loadedAt time.Time
	lastErr  error
	errAt    time.Time
	onChange []func(*allowlist.List)
}

// Status is what the admin page and /metrics show about the allowlist.
type Status struct {
	File     string    // the file (or URL) in force
	LoadedAt time.Time // when it was applied
	Sites    int       // its number of sites
	Err      error     // the last refused load, nil after a good one
	ErrAt    time.Time // when Err happened
}

// Load returns the list in force, nil before the first successful load.
func (h *Holder) Load() *allowlist.List { return h.list.Load() }

// Data returns the bytes of the file in force.
func (h *Holder) Data() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.data
}

// Status reports the list in force and the last reload error.
func (h *Holder) Status() Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{File: h.file, LoadedAt: h.loadedAt, Err: h.lastErr, ErrAt: h.errAt}
	if l := h.list.Load(); l != nil {
		st.Sites = len(l.Sites)
	}
	return st
}

// OnChange registers f to be called with each newly applied list.
func (h *Holder) OnChange(f func(*allowlist.List)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.onChange = append(h.onChange, f)
}

// Apply validates data (named name in messages) and, when it is valid, puts
// it in force. An invalid file is refused and recorded; the list in force
// does not change.
func (h *Holder) Apply(data []byte, name string, now time.Time) error {
	l, err := allowlist.Parse(data, name)
	if h.Observe != nil {
		h.Observe(err)
	}
	h.mu.Lock()
	if err != nil {
		h.lastErr, h.errAt = err, now
		h.mu.Unlock()
		return err
	}
	h.list.Store(l)
	h.file, h.data, h.loadedAt, h.lastErr = name, data, now, nil
	subs := append([]func(*allowlist.List){}, h.onChange...)
	h.mu.Unlock()
	for _, f := range subs {
		f(l)
	}
	return nil
}

// LoadFile reads and applies the file at path.
func (h *Holder) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		err = fmt.Errorf("reading allowlist: %w", err)
		if h.Observe != nil {
			h.Observe(err)
		}
		h.mu.Lock()
		h.lastErr, h.errAt = err, time.Now()
		h.mu.Unlock()
		return err
	}
	return h.Apply(data, path, time.Now())
}

// settle is how long Watch waits for an editor's writes to end.
const settle = 200 * time.Millisecond

// Watch re-reads path into h when it changes on disk or when reload
// receives a value (SIGHUP), until ctx is done; then it returns nil. It
// watches the directory, not the file, so that editors that save by
// renaming, and dpkg, are seen. A refused file is logged on l; the last
// good list stays in force.
func (h *Holder) Watch(ctx context.Context, path string, reload <-chan struct{}, l *slog.Logger) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching allowlist: %w", err)
	}
	defer w.Close()
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watching allowlist directory %s: %w", dir, err)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	do := func(why string) {
		if err := h.LoadFile(path); err != nil {
			l.Error("allowlist refused, the last good list stays in force", "why", why, "err", err)
			return
		}
		l.Info("allowlist reloaded", "why", why, "file", path, "sites", len(h.Load().Sites))
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-reload:
			do("signal")
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("allowlist watcher closed")
			}
			if filepath.Base(ev.Name) == base && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) != 0 {
				timer.Reset(settle)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("allowlist watcher closed")
			}
			l.Warn("allowlist watcher", "err", err)
		case <-timer.C:
			do("file changed")
		}
	}
}
