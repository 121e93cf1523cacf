package kiosk

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// egressProbeAddr is where probeEgress sends its datagram: the discard
// port on loopback, which the lockdown refuses to the browser's account
// (only TCP to the proxy and the local API passes) and which routes on
// every machine, with or without a network.
var egressProbeAddr = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}

// probeEgress checks the egress lockdown from the inside: it sends one
// datagram that the table refuses for this user. When the table is in
// force, the output hook rejects it and the send fails with EPERM; when
// it is not, the send succeeds. `nft list table` would need CAP_NET_ADMIN,
// which neither the shell's user nor the service's has, and the probe
// also proves the rules apply to the user the shell runs as.
func probeEgress() error {
	c, err := net.DialUDP("udp4", nil, egressProbeAddr)
	if err != nil {
		return fmt.Errorf("probing the egress lockdown: %w", err)
	}
	defer c.Close()
	_, err = c.Write([]byte{0})
	switch {
	case errors.Is(err, syscall.EPERM):
		return nil
	case err == nil:
		return fmt.Errorf("%w: a datagram to %s was not refused", ErrNoEgressLockdown, egressProbeAddr)
	default:
		return fmt.Errorf("probing the egress lockdown: %w", err)
	}
}
