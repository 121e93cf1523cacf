package kiosk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// EgressTable is the nftables table of the egress lockdown
// (packaging/nftables/kiosk.nft, loaded by kiosk-nftables.service): the
// browser's account may reach only the proxy and the local API.
const EgressTable = "inet kiosk"

// ErrNoEgressLockdown means the egress lockdown is not in force for the
// shell's user: a packet it should refuse left.
var ErrNoEgressLockdown = errors.New("egress lockdown not in force: nftables table " + EgressTable + " not loaded (systemctl restart kiosk-nftables)")

// egressGate checks, when Config.RequireEgressLockdown is on, that the
// egress lockdown is in force before a session. Without it the terminal
// fails closed: out of order until the table is back.
func (s *supervisor) egressGate(ctx context.Context) error {
	if !s.conf.RequireEgressLockdown {
		return nil
	}
	err := s.checkEgress()
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrNoEgressLockdown) {
		err = fmt.Errorf("%w: %w", ErrNoEgressLockdown, err) // fail closed
	}
	s.l.Error("egress lockdown missing: nftables table "+EgressTable+" is not loaded: terminal out of order until it is (systemctl restart kiosk-nftables)",
		"table", EgressTable, "err", err)
	if err := s.outOfOrder(ctx, err, s.checkEgress); err != nil {
		return err
	}
	if ctx.Err() == nil {
		s.l.Info("egress lockdown in force again", "table", EgressTable)
	}
	return nil
}

// checkEgress runs the lockdown's probe.
func (s *supervisor) checkEgress() error {
	if s.conf.EgressProbe != nil {
		return s.conf.EgressProbe()
	}
	return probeEgress()
}

// watchEgress checks the egress lockdown every retry period while c shows
// the welcome screen, and ends c when the lockdown is gone (the table
// deleted or flushed since c started), so that no session opens in it: the
// supervisor then wipes it and egressGate shows the out-of-order screen. A
// session already open runs to its end (the proxy is still forced on the
// browser), with an error in the log. The returned function stops it.
func (s *supervisor) watchEgress(ctx context.Context, c *child) (stop func()) {
	if !s.conf.RequireEgressLockdown {
		return func() {}
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.conf.retry())
		defer t.Stop()
		logged := false
		for {
			select {
			case <-wctx.Done():
				return
			case <-c.done:
				return
			case <-t.C:
			}
			err := s.checkEgress()
			if err == nil {
				continue
			}
			c.mu.Lock()
			inSession := c.session
			c.mu.Unlock()
			if !inSession {
				s.l.Error("egress lockdown lost: ending the welcome screen before a session opens in it", "table", EgressTable, "err", err)
				c.kill()
				return
			}
			if !logged {
				s.l.Error("egress lockdown lost during a session: out of order once it ends", "table", EgressTable, "err", err)
				logged = true
			}
		}
	}()
	return func() { cancel(); <-done }
}

// outOfOrderFlags returns the flags of the out-of-order screen for cause.
func (s *supervisor) outOfOrderFlags(cause error) []string {
	f := s.browserFlags(cause.Error())
	if errors.Is(cause, ErrNoEgressLockdown) {
		f = append(f, "--out-of-order-kind", OutOfOrderLockdown)
	}
	return f
}
