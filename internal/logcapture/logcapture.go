// Package logcapture keeps what a component under test logs, for the test
// to read: a buffer that the component's goroutines (or a child process's
// output) write to while the test reads it, and a slog logger that writes
// text lines to it.
package logcapture

import (
	"bytes"
	"log/slog"
	"sync"
)

// Buffer is a log kept whole in memory. It's safe for concurrent use. The
// zero value is an empty buffer ready for use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Logger returns a logger that writes to b in slog's text format, from
// level Info.
func (b *Buffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, nil))
}
