package admin

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Login throttling (docs/admin.md, "Login throttling"). It guards the login
// form, the "Mot de passe" form and /metrics Basic auth.
//
// Per account: the name typed, folded as strings.EqualFold compares it
// (empty is the built-in admin), whether such an account exists or not.
// freeFailures wrong passwords are free; after that each attempt waits
// accountFirstDelay before its password is checked, doubling at each
// further failure up to maxAccountDelay. The wait is served inside the
// request, so the right password is always checked, after at most
// maxAccountDelay: nobody can lock an account out. A correct password
// clears the account.
//
// Per client, for remote clients only (an IPv4 address or an IPv6 /64;
// every local program shares 127.0.0.1, so a per-address limit there would
// let one lock out the console): after freeFailures wrong passwords the
// client is refused (429) for clientFirstDelay, doubling up to
// maxClientDelay; one attempt in flight per client; across all remote
// clients a bucket of remoteBurst attempts, refilled at one per
// remoteRefill (an attacker with many addresses).
//
// Concurrency: at most attemptSlots attempts (waiting their delay or being
// checked) run at once for loopback clients, and as many for remote ones,
// so that remote clients cannot hold up local ones and nobody ties up the
// server; an attempt waits for a slot for up to slotWait (then 503). With
// the delay this bounds the guesses on one account to attemptSlots per
// maxAccountDelay from each side.
const (
	freeFailures      = 3
	accountFirstDelay = time.Second
	maxAccountDelay   = 5 * time.Second
	clientFirstDelay  = 2 * time.Second
	maxClientDelay    = 15 * time.Minute
	forgetAfter       = 24 * time.Hour
	remoteBurst       = 30
	remoteRefill      = 2 * time.Second
	attemptSlots      = 2
	slotWait          = 30 * time.Second
	maxKeys           = 10000
)

// errBusy means every attempt slot stayed taken for slotWait.
var errBusy = errors.New("too many login attempts in progress")

// clientWaitError refuses a remote client that must wait before its next
// attempt.
type clientWaitError struct{ wait time.Duration }

func (e *clientWaitError) Error() string { return "too many attempts, wait " + e.wait.String() }

// failures counts the wrong passwords of an account or a client.
type failures struct {
	count int
	last  time.Time // last failure
}

// clientState is a remote client's throttle.
type clientState struct {
	failures
	inflight bool      // an attempt is being checked: others are refused
	next     time.Time // no attempt before this
}

// limiter throttles password checks. It's safe for concurrent use.
type limiter struct {
	now func() time.Time
	// sleep waits d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// slotWait is how long an attempt waits for a slot; tests shorten it.
	slotWait      time.Duration
	local, remote chan struct{} // attempt slots

	mu       sync.Mutex
	accounts map[string]*failures
	clients  map[string]*clientState
	tokens   float64
	refill   time.Time // when tokens was last topped up
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{
		now: now, sleep: sleepContext, slotWait: slotWait,
		local: make(chan struct{}, attemptSlots), remote: make(chan struct{}, attemptSlots),
		accounts: map[string]*failures{}, clients: map[string]*clientState{},
		tokens: remoteBurst, refill: now(),
	}
}

// sleepContext waits d, or returns ctx's error when it is done first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// accountKey returns the throttling key of a typed account name: trimmed,
// each letter replaced by the smallest of its case-folding orbit (so that
// "ſ" and "s", "K" (Kelvin) and "k" share a key, as strings.EqualFold
// matches them), empty meaning the built-in admin.
func accountKey(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = BuiltinAdmin
	}
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, name)
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

// loopbackAddr reports whether a RemoteAddr is on this machine
// (127.0.0.0/8 or ::1).
func loopbackAddr(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// delayAfter returns the delay that count failures earn.
func delayAfter(count int, first, most time.Duration) time.Duration {
	if count < freeFailures {
		return 0
	}
	return min(first<<min(count-freeFailures, 20), most)
}

// attempt is a password check reserved by begin; end must be called with
// its outcome.
type attempt struct {
	l       *limiter
	account string
	client  string // "" for a loopback client
	slot    chan struct{}
}

// begin reserves a check of account's password for the client at
// remoteAddr: it takes a slot, then sleeps the account's delay (both with
// ctx), and returns the attempt to end. It fails with *clientWaitError for
// a remote client that must wait, errBusy when no slot freed in time, or
// ctx's error.
func (l *limiter) begin(ctx context.Context, account, remoteAddr string) (*attempt, error) {
	a := &attempt{l: l, account: accountKey(account), slot: l.local}
	if !loopbackAddr(remoteAddr) {
		a.client, a.slot = clientKey(remoteAddr), l.remote
		if err := l.reserveClient(a.client); err != nil {
			return nil, err
		}
	}
	if err := l.takeSlot(ctx, a.slot); err != nil {
		l.releaseClient(a.client)
		return nil, err
	}
	if err := l.sleep(ctx, l.delay(account)); err != nil {
		<-a.slot
		l.releaseClient(a.client)
		return nil, err
	}
	return a, nil
}

// end records the outcome of the attempt and frees its slot.
func (a *attempt) end(ok bool) {
	l := a.l
	<-a.slot
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if ok {
		delete(l.accounts, a.account)
	} else if f := l.accounts[a.account]; f != nil {
		f.count, f.last = f.count+1, now
	} else if l.accountRoom(now) {
		l.accounts[a.account] = &failures{count: 1, last: now}
	}
	if a.client == "" {
		return
	}
	c, found := l.clients[a.client]
	if !found {
		return
	}
	c.inflight = false
	if ok {
		delete(l.clients, a.client)
		l.tokens = min(remoteBurst, l.tokens+1)
		return
	}
	c.count, c.last = c.count+1, now
	if d := delayAfter(c.count, clientFirstDelay, maxClientDelay); d > 0 {
		c.next = now.Add(d)
	}
}

// delay returns how long the next attempt on account waits before its
// password is checked. While the table of accounts is full (a flood of
// made-up names), a name not in it waits the longest delay.
func (l *limiter) delay(account string) time.Duration {
	key := accountKey(account)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.accounts[key]
	switch {
	case ok && now.Sub(f.last) > forgetAfter:
		delete(l.accounts, key)
	case ok:
		return delayAfter(f.count, accountFirstDelay, maxAccountDelay)
	case !l.accountRoom(now):
		return maxAccountDelay
	}
	return 0
}

// accountRoom reports whether the accounts table may grow, forgetting old
// entries when it is full. l.mu must be held.
func (l *limiter) accountRoom(now time.Time) bool {
	if len(l.accounts) < maxKeys {
		return true
	}
	for k, f := range l.accounts {
		if now.Sub(f.last) > forgetAfter {
			delete(l.accounts, k)
		}
	}
	return len(l.accounts) < maxKeys
}

// clientRoom is accountRoom for the clients table.
func (l *limiter) clientRoom(now time.Time) bool {
	if len(l.clients) < maxKeys {
		return true
	}
	for k, c := range l.clients {
		if !c.inflight && now.Sub(c.last) > forgetAfter {
			delete(l.clients, k)
		}
	}
	return len(l.clients) < maxKeys
}

// takeSlot takes one of slot's places, waiting for up to l.slotWait.
func (l *limiter) takeSlot(ctx context.Context, slot chan struct{}) error {
	select {
	case slot <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(l.slotWait)
	defer t.Stop()
	select {
	case slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errBusy
	}
}

// clientWait returns how long a remote client must wait before its next
// attempt; 0 means it may try now, and always for a loopback client. It
// changes nothing (for showing the delay).
func (l *limiter) clientWait(remoteAddr string) time.Duration {
	if loopbackAddr(remoteAddr) {
		return 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topUp(now)
	return l.clientWaitLocked(clientKey(remoteAddr), now)
}

func (l *limiter) clientWaitLocked(key string, now time.Time) time.Duration {
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
		d = max(d, time.Duration((1-l.tokens)*float64(remoteRefill)))
	}
	if d > 0 && d < time.Second {
		d = time.Second // shown in whole seconds
	}
	return d.Round(time.Second)
}

// reserveClient marks an attempt of a remote client in flight and takes a
// token, or returns *clientWaitError.
func (l *limiter) reserveClient(key string) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topUp(now)
	if d := l.clientWaitLocked(key, now); d > 0 {
		return &clientWaitError{wait: d}
	}
	c, ok := l.clients[key]
	if !ok {
		if !l.clientRoom(now) {
			return &clientWaitError{wait: time.Second}
		}
		c = &clientState{failures: failures{last: now}}
		l.clients[key] = c
	}
	c.inflight = true
	l.tokens--
	return nil
}

// releaseClient undoes reserveClient for an attempt that was not checked.
func (l *limiter) releaseClient(key string) {
	if key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.clients[key]; ok {
		c.inflight = false
	}
	l.tokens = min(remoteBurst, l.tokens+1)
}

func (l *limiter) topUp(now time.Time) {
	if el := now.Sub(l.refill); el > 0 {
		l.tokens = min(remoteBurst, l.tokens+float64(el)/float64(remoteRefill))
	}
	l.refill = now
}
