package usage

import (
	"strings"
	"time"
)

// Limits on the blocked (host, from) pairs, so that a page asking for endless random
// host names can neither exhaust memory nor grow the file without bound. Requests
// beyond them are still counted in Counts.BlockedRequests.
const (
	maxPendingBlocked = 10_000 // distinct pairs held in memory between two flushes
	maxDayBlocked     = 1_000  // distinct pairs stored per day
)

// blockedKey is a blocked host and the host of the page that asked for it.
type blockedKey struct {
	host, from string
}

// blockedVal is the count and last time (unix seconds) of a blocked pair.
type blockedVal struct {
	count uint64
	last  int64
}

// dayPending holds the counts of one day not yet written to disk.
type dayPending struct {
	counters [numCounters]uint64
	blocked  map[blockedKey]*blockedVal
	dropped  uint64 // blocked requests beyond maxPendingBlocked
}

// newDayPending returns an empty dayPending.
func newDayPending() *dayPending {
	return &dayPending{blocked: map[blockedKey]*blockedVal{}}
}

// Blocked counts a request to host refused by the proxy, asked by a page of host from
// ("" when unknown). Both are reduced to host names (anything after '/', '?' or '#' is
// dropped). It only touches memory. It implements proxy.Recorder.
func (s *Store) Blocked(host, from string) {
	host, from = cleanHost(host), cleanHost(from)
	now := s.now()
	unix := now.Unix()

	s.mu.Lock()
	defer s.mu.Unlock()

	p := s.today(now)
	if v, ok := p.blocked[blockedKey{host, from}]; ok {
		v.count++
		v.last = unix

		return
	}
	if host == "" || s.nBlocked >= maxPendingBlocked {
		p.dropped++

		return
	}
	p.blocked[blockedKey{strings.Clone(host), strings.Clone(from)}] = &blockedVal{count: 1, last: unix}
	s.nBlocked++
}

// Count adds one to counter k for today. It only touches memory; unknown counters are
// ignored.
func (s *Store) Count(k Counter) {
	if k >= numCounters {
		return
	}
	now := s.now()

	s.mu.Lock()
	defer s.mu.Unlock()

	s.today(now).counters[k]++
}

// today returns the pending counts of now's day. s.mu must be held.
func (s *Store) today(now time.Time) *dayPending {
	unix := now.Unix()
	if s.cur != nil && unix >= s.curStart && unix < s.curEnd {
		return s.cur
	}

	y, m, d := now.In(s.loc).Date()
	day := civilDay(y, m, d)
	p := s.pending[day]
	if p == nil {
		p = newDayPending()
		s.pending[day] = p
	}
	s.cur = p
	s.curStart = time.Date(y, m, d, 0, 0, 0, 0, s.loc).Unix()
	s.curEnd = time.Date(y, m, d+1, 0, 0, 0, 0, s.loc).Unix()

	return p
}

// String returns the counter's stored name.
func (k Counter) String() string {
	switch k {
	case SessionStarted:
		return "sessions_started"
	case HelpRequest:
		return "help_requests"
	case AgentUnlock:
		return "agent_unlocks"
	case Extension:
		return "extensions"
	case Override:
		return "overrides"
	case WipeFailure:
		return "wipe_failures"
	case SatisfactionYes:
		return "satisfaction_yes"
	case SatisfactionPartly:
		return "satisfaction_partly"
	case SatisfactionNo:
		return "satisfaction_no"
	case Print:
		return "prints"
	default:
		return "unknown"
	}
}
