package usage

import (
	"time"
)

// Store is the usage store. Its methods are safe for concurrent use.
type Store struct {
}

// Open opens or creates the usage file c.Path. It returns an error wrapping ErrLocked
// when another process holds the file (after c.OpenTimeout), ErrCorrupt for a file that
// is not a valid kiosk usage file and ErrNewerSchema for a file from a newer version; in
// those cases the file is not modified. It deletes day buckets older than the retention
// and starts the background flush loop. c must not be nil.
func Open(c *Config) (*Store, error) {
	return nil, ErrClosed // TODO(usage): implement.
}

// Close stops the flush loop, flushes pending counts and closes the file.
func (s *Store) Close() error { return nil }

// Blocked counts a request to host refused by the proxy, asked by a page of host from
// ("" when unknown). It only touches memory. It implements proxy.Recorder.
func (s *Store) Blocked(host, from string) {}

// Count adds one to counter k for today. It only touches memory.
func (s *Store) Count(k Counter) {}

// SessionEnded records a completed session and returns once it is committed to disk.
func (s *Store) SessionEnded(r Session) error { return nil }

// Report returns the counts of the calendar days from..to (inclusive, in
// Config.Location), including counts not yet flushed.
func (s *Store) Report(from, to time.Time) (*Report, error) { return nil, nil }

// BlockedHosts returns the blocked (host, from) pairs of the days from..to, most
// frequent first, including counts not yet flushed.
func (s *Store) BlockedHosts(from, to time.Time) ([]BlockedHost, error) { return nil, nil }

// Flush writes the in-memory counts to disk and applies retention when the day changed.
func (s *Store) Flush() error { return nil }

// Healthy returns nil when the store is open and its last flush succeeded.
func (s *Store) Healthy() error { return nil }
