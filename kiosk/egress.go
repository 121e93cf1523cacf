package kiosk

import (
	"context"
	"errors"
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
