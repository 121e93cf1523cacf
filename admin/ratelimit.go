package admin

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// Login throttling. Each client (an IPv4 address, or an IPv6 /64) gets
// freeFailures wrong passwords; after that each new attempt must wait
// firstDelay, doubling at each further failure up to maxDelay. A correct
// password resets the client. Across all clients, at most globalBurst
// failures are accepted, refilled at one per globalRefill: past that every
// client waits (this bounds an attacker with many addresses, and the CPU
// spent in argon2id).
const (
	freeFailures  = 3
	firstDelay    = 2 * time.Second
	maxDelay      = 15 * time.Minute
	forgetAfter   = 24 * time.Hour
	globalBurst   = 30
	globalRefill  = 2 * time.Second
	maxClientKeys = 10000
)

type clientState struct {
	inflight bool // an attempt is being checked: others wait for it
	failures int
	last     time.Time // last failure
	next     time.Time // no attempt before this
}

// limiter throttles login attempts. It's safe for concurrent use.
type limiter struct {
	now func() time.Time

	mu      sync.Mutex
	clients map[string]*clientState
	tokens  float64
	refill  time.Time // when tokens was last topped up
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, clients: map[string]*clientState{}, tokens: globalBurst, refill: now()}
}

// clientKey returns the throttling key of a RemoteAddr.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// wait returns how long the client must wait before its next attempt; 0
// means it may try now. It changes nothing (for showing the delay).
func (l *limiter) wait(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topUp(now)
	return l.waitLocked(key, now)
}

func (l *limiter) waitLocked(key string, now time.Time) time.Duration {
	var d time.Duration
	if c, ok := l.clients[key]; ok {
		if c.next.After(now) {
			d = c.next.Sub(now)
		}
		if c.inflight {
			d = max(d, time.Second)
		}
	}
	if l.tokens < 1 {
		d = max(d, time.Duration((1-l.tokens)*float64(globalRefill)))
	}
	if d > 0 && d < time.Second {
		d = time.Second // shown in whole seconds
	}
	return d.Round(time.Second)
}

// begin reserves an attempt: it returns 0 when the client may check a
// password now, and then end must be called with the outcome. A client has
// at most one attempt in flight, so parallel requests cannot skip the delay,
// and each attempt takes a global token, given back on success.
func (l *limiter) begin(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topUp(now)
	if d := l.waitLocked(key, now); d > 0 {
		return d
	}
	c, ok := l.clients[key]
	if !ok {
		if len(l.clients) >= maxClientKeys {
			l.forget(now)
		}
		c = &clientState{last: now}
		l.clients[key] = c
	}
	c.inflight = true
	l.tokens--
	return 0
}

// end records the outcome of the attempt begun by begin.
func (l *limiter) end(key string, ok bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	c, found := l.clients[key]
	if !found {
		return
	}
	c.inflight = false
	if ok {
		delete(l.clients, key)
		l.tokens = min(globalBurst, l.tokens+1)
		return
	}
	c.failures++
	c.last = now
	if c.failures >= freeFailures {
		d := firstDelay << min(c.failures-freeFailures, 20)
		c.next = now.Add(min(d, maxDelay))
	}
}

func (l *limiter) topUp(now time.Time) {
	if el := now.Sub(l.refill); el > 0 {
		l.tokens = min(globalBurst, l.tokens+float64(el)/float64(globalRefill))
	}
	l.refill = now
}

func (l *limiter) forget(now time.Time) {
	for k, c := range l.clients {
		if now.Sub(c.last) > forgetAfter {
			delete(l.clients, k)
		}
	}
}
