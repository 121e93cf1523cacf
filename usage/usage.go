// Package usage is the kiosk's usage store: anonymous counts of sessions, durations,
// site groups, blocked hosts, satisfaction answers and agent actions, kept in one bbolt
// file owned by the service.
//
// It stores counts only, never who: no URL paths or queries, no form data, nothing typed.
// Counters recorded on hot paths (Blocked, Count) live in memory and are flushed
// periodically and on Close; a session end (SessionEnded) is committed to disk before the
// call returns. See docs/usage.md.
package usage

import (
	"errors"
	"log/slog"
	"time"
)

// Sentinel errors returned by Open and the Store's methods. Test them with errors.Is.
var (
	// ErrLocked means another process (or another Store in this one) holds the file.
	ErrLocked = errors.New("usage file is in use by another process (is another kiosk serve running?)")

	// ErrCorrupt means the file is not a readable kiosk usage file. The file is left
	// untouched.
	ErrCorrupt = errors.New("usage file is corrupt or not a kiosk usage file; it was left untouched")

	// ErrNewerSchema means the file was written by a newer version of kiosk. The file is
	// left untouched.
	ErrNewerSchema = errors.New("usage file was written by a newer kiosk version; it was left untouched")

	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("usage store is closed")

	// ErrInvalid is returned for invalid arguments (unknown end reason, bad range).
	ErrInvalid = errors.New("invalid usage argument")
)

// SchemaVersion is the version of the file layout written by this package. Version 2
// adds the audit log (audit.go) to the day buckets; a version 1 file is read as is and
// marked 2 when its first audit entry is written. Version 3 stores the blocked pairs
// with the day only (count and sessions, no time of day): Open rewrites a file that
// holds blocked pairs of an older version (migrate.go) and marks it 3; a file
// without any is marked 3 by its first blocked pair.
const SchemaVersion = 3

// Defaults for the zero values of Config fields.
const (
	DefaultFlushInterval = 5 * time.Second
	DefaultRetentionDays = 400
	DefaultOpenTimeout   = time.Second
)

// Config is the configuration of a Store.
type Config struct {
	// Path is the bbolt file. It must not be empty. It is created with mode 0600 when
	// missing; its directory must exist.
	Path string

	// Logger receives background errors (flush, retention). If nil, slog.Default is used.
	Logger *slog.Logger

	// Now returns the current time. If nil, time.Now is used.
	Now func() time.Time

	// Location defines the calendar days (day buckets, hours of day, report ranges).
	// If nil, time.Local is used.
	Location *time.Location

	// FlushInterval is the period of the background flush of in-memory counts (which
	// also applies retention once per day). If zero, DefaultFlushInterval is used; if
	// negative, there is no background loop (tests call Flush).
	FlushInterval time.Duration

	// RetentionDays is how many calendar days are kept, today included. Older day
	// buckets are deleted at Open and daily. If zero, DefaultRetentionDays is used.
	RetentionDays int

	// OpenTimeout is how long Open waits for the file lock before returning ErrLocked.
	// If zero, DefaultOpenTimeout is used.
	OpenTimeout time.Duration
}

// Counter names an event counted in memory by Store.Count.
type Counter uint8

// Counters. The stored key is the counter's String, so the order here may change.
const (
	SessionStarted     Counter = iota // a session started (welcome screen left)
	HelpRequest                       // "Besoin d'aide" pressed
	AgentUnlock                       // an agent unlocked a session
	Extension                         // an agent extended a session
	Override                          // an agent overrode a rule (e.g. opened a supervised site)
	WipeFailure                       // a session directory could not be wiped
	SatisfactionYes                   // "Avez-vous pu faire votre démarche ?" Oui
	SatisfactionPartly                // ... En partie
	SatisfactionNo                    // ... Non
	Print                             // a print job was handed to the printer
	numCounters
)

// EndReason is why a session ended. Its values are stable strings (stored and in JSON).
type EndReason string

// End reasons.
const (
	EndUser      EndReason = "user"      // "Terminer ma session"
	EndIdle      EndReason = "idle"      // idle timeout
	EndTimeLimit EndReason = "timelimit" // maximum session length reached
	EndAgent     EndReason = "agent"     // ended by an agent
	EndCrash     EndReason = "crash"     // the browser process crashed
)

// EndReasons lists every valid EndReason, in display order.
var EndReasons = []EndReason{EndUser, EndIdle, EndTimeLimit, EndAgent, EndCrash}

// Session is a completed session as recorded by Store.SessionEnded. It holds no
// identifying data.
type Session struct {
	// Start and End bound the session. The session is counted on the calendar day of
	// Start (of End when Start is zero).
	Start, End time.Time
	// Active and Idle split the session's duration.
	Active, Idle time.Duration
	// Reason is why it ended; it must be one of EndReasons.
	Reason EndReason
	// Supervised is true for agent-unlocked sessions.
	Supervised bool
	// Sites are the allowlist site names visited (duplicates are counted once).
	Sites []string
	// Lang is the interface language chosen on the welcome screen ("fr", "en", ...).
	Lang string
}

// Counts are the figures of one day or of a whole range. Durations are time.Duration
// (nanoseconds in JSON); sessions are counted on the day and hour they started.
// EndedBy always holds every EndReason; Sites, Langs and Threats are never nil.
type Counts struct {
	SessionsStarted uint64               `json:"sessions_started"`
	Sessions        uint64               `json:"sessions"` // sessions ended (recorded by SessionEnded)
	Supervised      uint64               `json:"supervised"`
	EndedBy         map[EndReason]uint64 `json:"ended_by"`
	TotalDuration   time.Duration        `json:"total_duration_ns"`
	// MedianDuration is the median session length, computed from lengths rounded down
	// to the minute (the mean of the two middle ones for an even count).
	MedianDuration time.Duration     `json:"median_duration_ns"`
	ActiveDuration time.Duration     `json:"active_duration_ns"`
	IdleDuration   time.Duration     `json:"idle_duration_ns"`
	Hours          [24]uint64        `json:"hours"` // sessions by local hour of their start
	Sites          map[string]uint64 `json:"sites"` // sessions that visited each site
	Langs          map[string]uint64 `json:"langs"` // sessions by interface language
	// Threats are the files of residents' USB keys the antivirus refused, by
	// signature name (never a file name).
	Threats map[string]uint64 `json:"threats"`

	SatisfactionYes    uint64 `json:"satisfaction_yes"`
	SatisfactionPartly uint64 `json:"satisfaction_partly"`
	SatisfactionNo     uint64 `json:"satisfaction_no"`
	HelpRequests       uint64 `json:"help_requests"`
	Prints             uint64 `json:"prints"` // print jobs handed to the printer
	AgentUnlocks       uint64 `json:"agent_unlocks"`
	Extensions         uint64 `json:"extensions"`
	Overrides          uint64 `json:"overrides"`
	WipeFailures       uint64 `json:"wipe_failures"`
	BlockedRequests    uint64 `json:"blocked_requests"`
}

// Day is one calendar day of a Report.
type Day struct {
	// Date is the local calendar day, formatted "2006-01-02".
	Date string `json:"date"`
	Counts
}

// Report is the result of Store.Report: one row per calendar day of the range (days
// without data included, with zero counts) and the totals.
type Report struct {
	From   string `json:"from"` // first day, "2006-01-02"
	To     string `json:"to"`   // last day, "2006-01-02"
	Days   []Day  `json:"days"`
	Totals Counts `json:"totals"`
}

// BlockedHost is a host the proxy refused, with the host of the page that asked for it,
// over a range of days. It holds days, never a time of day.
type BlockedHost struct {
	Host string `json:"host"`
	From string `json:"from"` // host of the asking page, "" when unknown
	// Count is the number of refused requests (a page can inflate it at will).
	Count uint64 `json:"count"`
	// Sessions is the number of resident sessions that asked for the pair, summed
	// over the days (a session is counted once a day). It's what ranks the pairs: a
	// page cannot raise it within one session.
	Sessions uint64 `json:"sessions"`
	// Days is the number of days the pair was seen.
	Days int `json:"days"`
	// LastDay is the last day the pair was seen, "2006-01-02".
	LastDay string `json:"last_day"`
}
