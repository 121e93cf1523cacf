package main

import (
	"bytes"
	"io"
	"runtime"
	"sync"

	"github.com/kardianos/service"
)

// serviceLogOutput returns where serve writes its log. Under systemd that is
// stderr, which goes to the journal. A Windows service has no console, so
// there the lines go to the Event Log (source "kiosk", registered by install).
func serviceLogOutput(s service.Service, stderr io.Writer) io.Writer {
	if runtime.GOOS != "windows" || service.Interactive() {
		return stderr
	}
	l, err := s.SystemLogger(nil)
	if err != nil {
		return stderr
	}
	return &eventLogWriter{log: l}
}

// eventLogWriter turns slog text lines into Event Log entries, with the level
// taken from the line's level= field. It's safe for concurrent use.
type eventLogWriter struct {
	log service.Logger

	mu  sync.Mutex
	buf []byte
}

// Write implements io.Writer: each complete line becomes one entry.
func (w *eventLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if line == "" {
			continue
		}
		var err error
		switch {
		case bytes.Contains([]byte(line), []byte("level=ERROR")):
			err = w.log.Error(line)
		case bytes.Contains([]byte(line), []byte("level=WARN")):
			err = w.log.Warning(line)
		default:
			err = w.log.Info(line)
		}
		if err != nil {
			return len(p), err
		}
	}
}
