package usage

import (
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Limits on the blocked (host, from) pairs, so that a page asking for endless random
// host names can neither exhaust memory, grow the file without bound, nor push out the
// hosts IT needs (issue 13). Requests beyond them are still counted in
// Counts.BlockedRequests. A page's group is the registrable domain (eTLD+1) of its
// host, so that www.caf.fr and api.caf.fr share one.
const (
	maxPendingBlocked = 10_000 // distinct pairs held in memory between two flushes
	maxDayBlocked     = 1_000  // distinct pairs stored per day
	maxDayPage        = 100    // pairs stored per day and asking page's group
	maxDayDomain      = 50     // pairs stored per day and refused host's registrable domain
	maxSessionPairs   = 500    // distinct pairs one session can add to the learning view
	maxSessionPage    = 50     // distinct pairs one session can credit to one page's group
	// maxSessionRecurring more pairs a session can add past those limits, if other
	// sessions asked for them too (recurrence.go).
	maxSessionRecurring = 2_000
)

// blockedKey is a blocked host and the host of the page that asked for it.
type blockedKey struct {
	host, from string
}

// blockedVal is the count of a blocked pair and the number of sessions that asked for
// it, for one day.
type blockedVal struct {
	count    uint64
	sessions uint64
}

// dayPending holds the counts of one day not yet written to disk.
type dayPending struct {
	counters [numCounters]uint64
	blocked  map[blockedKey]*blockedVal
	dropped  uint64 // blocked requests beyond the limits
}

// newDayPending returns an empty dayPending.
func newDayPending() *dayPending {
	return &dayPending{blocked: map[blockedKey]*blockedVal{}}
}

// sessionPairs is what the current session asked for, so that a pair is counted in
// one session only once a day. It lives in memory only and is never stored: the store
// keeps the number of sessions per pair, never which session.
type sessionPairs struct {
	day   dayNum
	pairs map[blockedKey]struct{}
	pages map[string]int // distinct pairs per asking page's group
}

// reset forgets the session's pairs; day is the day they belong to.
func (sp *sessionPairs) reset(day dayNum) {
	sp.day = day
	sp.pairs = map[blockedKey]struct{}{}
	sp.pages = map[string]int{}
}

// Blocked counts a request to host refused by the proxy, asked by a page of host from
// ("" when unknown). Both are reduced to host names (anything after '/', '?' or '#' is
// dropped). The pair counts in the current session (see NewSession) once; a session
// adds at most maxSessionPage pairs per asking page's group, beyond which only pairs
// that other sessions of the day asked for too are kept (recurrence.go). It only
// touches memory.
// It implements proxy.Recorder.
func (s *Store) Blocked(host, from string) {
	host, from = cleanHost(host), cleanHost(from)
	now := s.now()

	s.mu.Lock()
	defer s.mu.Unlock()

	p := s.today(now)
	if s.sess.pairs == nil || s.sess.day != s.curDay {
		// A new day counts the session again: sessions are counted per day.
		s.sess.reset(s.curDay)
		s.recur.newSession()
	}
	k := blockedKey{host, from}
	_, inSession := s.sess.pairs[k]
	page := ""
	if !inSession {
		if host == "" {
			p.dropped++

			return
		}
		page = registrable(from)
		// Past the session's limits, only a pair that other sessions asked for too
		// is kept (recurrence.go): a flood of names asked once cannot hide it.
		recurring := s.recur.sessions(s.curDay, k) >= 2
		n := len(s.sess.pairs)
		if (n >= maxSessionPairs || s.sess.pages[page] >= maxSessionPage) &&
			(!recurring || n >= maxSessionPairs+maxSessionRecurring) {
			p.dropped++

			return
		}
	}
	v, ok := p.blocked[k]
	if !ok {
		if s.nBlocked >= maxPendingBlocked {
			p.dropped++

			return
		}
		k = blockedKey{strings.Clone(host), strings.Clone(from)}
		v = &blockedVal{}
		p.blocked[k] = v
		s.nBlocked++
	}
	v.count++
	if !inSession {
		v.sessions++
		s.sess.pairs[k] = struct{}{}
		s.sess.pages[page]++
	}
}

// NewSession starts a new resident session for the blocked pairs' session counts:
// what the proxy refuses after it counts in one more session. Count(SessionStarted)
// and SessionEnded call it, so the service needs no other call; the refusals between
// two sessions count as one more. It only touches memory.
func (s *Store) NewSession() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.sess.pairs = nil
	s.recur.newSession()
}

// registrable returns the registrable domain (eTLD+1) of host, or host itself when it
// has none (a public suffix, an address, "").
func registrable(host string) string {
	if host == "" || strings.ContainsAny(host, ":[") {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}

	return d
}

// Count adds one to counter k for today. It only touches memory; unknown counters are
// ignored. Count(SessionStarted) also starts a new session for the blocked pairs (see
// NewSession).
func (s *Store) Count(k Counter) {
	if k >= numCounters {
		return
	}
	now := s.now()

	s.mu.Lock()
	defer s.mu.Unlock()

	s.today(now).counters[k]++
	if k == SessionStarted {
		s.sess.pairs = nil
		s.recur.newSession()
	}
}

// today returns the pending counts of now's day. s.mu must be held.
func (s *Store) today(now time.Time) *dayPending {
	unix := now.Unix()
	if s.cur != nil && unix >= s.curStart && unix < s.curEnd {
		return s.cur
	}

	y, m, d := now.In(s.loc).Date()
	day := civilDay(y, m, d)
	s.curDay = day
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
