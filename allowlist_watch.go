package main

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

// policyHolder keeps the allowlist in force and what the admin page shows
// about it. The list is swapped atomically: a reload that fails leaves the
// last good list in force, so a broken file can never open more (or less)
// than the last file that validated. It's safe for concurrent use.
type policyHolder struct {
	list atomic.Pointer[allowlist.List]

	mu       sync.Mutex
	file     string
	data     []byte
	loadedAt time.Time
	lastErr  error
	errAt    time.Time
	onChange []func(*allowlist.List)

	// observe, if set before the first load, is told the result of every
	// load attempt (metrics).
	observe func(err error)
}

// policyStatus is what the admin page and /healthz show about the allowlist.
type policyStatus struct {
	File     string
	LoadedAt time.Time
	Sites    int
	Err      error
	ErrAt    time.Time
}

// Load returns the list in force, nil before the first successful load.
func (h *policyHolder) Load() *allowlist.List { return h.list.Load() }

// Data returns the bytes of the file in force.
func (h *policyHolder) Data() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.data
}

// Status reports the list in force and the last reload error.
func (h *policyHolder) Status() policyStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := policyStatus{File: h.file, LoadedAt: h.loadedAt, Err: h.lastErr, ErrAt: h.errAt}
	if l := h.list.Load(); l != nil {
		st.Sites = len(l.Sites)
	}
	return st
}

// OnChange registers f to be called with each newly applied list.
func (h *policyHolder) OnChange(f func(*allowlist.List)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.onChange = append(h.onChange, f)
}

// apply validates data and, when it is valid, puts it in force. An invalid
// file is refused and recorded; the list in force does not change.
func (h *policyHolder) apply(data []byte, name string, now time.Time) error {
	l, err := allowlist.Parse(data, name)
	if h.observe != nil {
		h.observe(err)
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

// loadFile reads and applies the file at path.
func (h *policyHolder) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		err = fmt.Errorf("reading allowlist: %w", err)
		if h.observe != nil {
			h.observe(err)
		}
		h.mu.Lock()
		h.lastErr, h.errAt = err, time.Now()
		h.mu.Unlock()
		return err
	}
	return h.apply(data, path, time.Now())
}

// watchAllowlist re-reads path when it changes on disk or when reload
// receives a value (SIGHUP), until ctx is done. It watches the directory, not
// the file, so that editors that save by renaming, and dpkg, are seen.
func watchAllowlist(ctx context.Context, h *policyHolder, path string, reload <-chan struct{}, l *slog.Logger) error {
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
	// Editors write in several steps: wait for the writes to settle.
	const settle = 200 * time.Millisecond
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	do := func(why string) {
		if err := h.loadFile(path); err != nil {
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
