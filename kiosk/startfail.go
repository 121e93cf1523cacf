package kiosk

import (
	"context"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxStartFailures is how many browser starts in a row may fail before the
// terminal is out of order: a start fails when the process exits, or is
// killed, before it shows a screen (Config.ReadyGrace). After the third,
// the shell stops retrying every few seconds, shows the out-of-order
// screen (when even that can start) and tries again with a growing delay,
// so that a fixed update brings the terminal back by itself.
const MaxStartFailures = 3

// Out-of-order kinds, kiosk-browser's --out-of-order-kind: which sentence
// the out-of-order screen shows.
const (
	OutOfOrderWipe     = "wipe"     // the last session's data could not be erased (the default)
	OutOfOrderBrowser  = "browser"  // the browser no longer starts (MaxStartFailures)
	OutOfOrderLockdown = "lockdown" // the egress lockdown is missing (egress.go)
)

// startFailures counts the browser starts in a row that failed. It's safe
// for concurrent use.
type startFailures struct {
	mu         sync.Mutex
	n          int
	since      time.Time // the first failure of the run
	why        string    // the last failure's cause
	outOfOrder bool      // reported out of order
}

// failed notes a failed start at now and returns the run's count.
func (f *startFailures) failed(now time.Time, why string) (n int, since time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.since = now
	}
	f.n++
	f.why = why
	f.outOfOrder = f.n >= MaxStartFailures
	return f.n, f.since
}

// worked ends the run of failures; it returns how many there were.
func (f *startFailures) worked() (n int, wasOutOfOrder bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, wasOutOfOrder = f.n, f.outOfOrder
	f.n, f.since, f.why, f.outOfOrder = 0, time.Time{}, "", false
	return n, wasOutOfOrder
}

// broken returns the count and cause while the terminal is out of order
// for them (ok false otherwise).
func (f *startFailures) broken() (n int, why string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n, f.why, f.outOfOrder
}

// followStart calls s.startWorked once c shows a screen. The returned
// function waits until it has (or c ended without one).
func (s *supervisor) followStart(ctx context.Context, c *child) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-c.drawn:
			s.startWorked(ctx)
		case <-c.done:
		}
	}()
	return func() { <-done }
}

// startWorked ends a run of failed starts: the service hears of it, and a
// terminal that was out of order for it is back in order.
func (s *supervisor) startWorked(ctx context.Context) {
	n, wasOutOfOrder := s.starts.worked()
	if n == 0 {
		return
	}
	s.l.Info("browser started after failed starts", "failures", n)
	s.reportStarts(ctx, map[string]any{"failures": 0})
	if wasOutOfOrder {
		s.l.Info("browser starts again: terminal back in order")
		s.report(ctx, nil)
	}
}

// startFailed counts res as a failed start when the process showed no
// screen and did not end as asked (a clean exit after it spoke is the
// browser's own decision, not a failure). It tells the service, and
// returns whether it counted.
func (s *supervisor) startFailed(ctx context.Context, res childResult) bool {
	if ctx.Err() != nil || res.drew || res.session || (!res.crashed && res.heard) {
		return false
	}
	n, since := s.starts.failed(time.Now(), res.why)
	out := n >= MaxStartFailures
	if out {
		s.l.Error("the browser fails to start: terminal out of order (an update may have broken it: see the admin page)",
			"failures", n, "why", res.why, "next_try_in", s.brokenPause(n))
	} else {
		s.l.Error("browser process failed at start; retrying", "why", res.why, "failures", n, "in", s.conf.retry())
	}
	s.reportStarts(ctx, map[string]any{"failures": n, "since": since, "out_of_order": out, "error": clipString(res.why, 300)})
	return true
}

// reportStarts sends the browser's start report (POST /api/shell/browser).
func (s *supervisor) reportStarts(ctx context.Context, body map[string]any) {
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := s.api.Post(cctx, "/api/shell/browser", body); err != nil {
		s.l.Warn("reporting browser starts", "err", err)
	}
}

// brokenPause is the delay before the next start after n failures in a
// row (n >= MaxStartFailures): ten retry periods, doubled at each further
// failure, at most Config.MaxRetry.
func (s *supervisor) brokenPause(n int) time.Duration {
	d, max := 10*s.conf.retry(), s.conf.maxRetry()
	for i := MaxStartFailures; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// waitBroken shows the out-of-order screen (a browser process that loads
// nothing, when even that starts) until the next try, then wipes its
// profile. It does nothing unless the terminal is out of order for failed
// starts.
func (s *supervisor) waitBroken(ctx context.Context) error {
	n, why, ok := s.starts.broken()
	if !ok {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, s.brokenPause(n))
	defer cancel()
	dir, err := newProfile(s.conf.profilesDir())
	if err != nil {
		<-pctx.Done()
		return nil // the next start's profile fails the same way: outOfOrder
	}
	detail := fmt.Sprintf("Le navigateur ne démarre plus (%d essais) : %s", n, why)
	if c, err := startChild(s.conf, dir, append(s.browserFlags(detail), "--out-of-order-kind", OutOfOrderBrowser), s.l); err == nil {
		c.watch(pctx, s.conf.ping(), s.conf.hangAfter(), s.conf.startGrace())
	}
	<-pctx.Done() // a screen that died early does not shorten the pause
	if err := wipeProfile(dir); err != nil {
		s.l.Error("wipe failed: terminal out of order", "err", err)
		return s.outOfOrder(ctx, err, func() error { return wipeProfile(dir) })
	}
	return nil
}

// clipString cuts s to at most n bytes, at a rune boundary.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (c *Config) readyGrace() time.Duration { return orDefault(c.ReadyGrace, 2*time.Minute) }
func (c *Config) maxRetry() time.Duration   { return orDefault(c.MaxRetry, 5*time.Minute) }
