//go:build !linux

package kiosk

import "errors"

// probeEgress fails: the egress lockdown is nftables (Linux); on Windows
// the firewall rules of packaging/windows are checked at install.
func probeEgress() error {
	return errors.New("the egress lockdown check (--require-egress-lockdown) is Linux only (nftables)")
}
