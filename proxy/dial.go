package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// ErrPrivateDestination is returned (wrapped) by the dialer when every
// address of a target is private (design.md §3 rule 8).
var ErrPrivateDestination = errors.New("destination address is private")

// dialError marks an error of the dial phase (resolving, the private check,
// connecting), so that the CONNECT error handler answers it and ignores
// errors of an established tunnel.
type dialError struct {
	addr string
	err  error
}

func (e *dialError) Error() string { return fmt.Sprintf("dialing %s: %v", e.addr, e.err) }
func (e *dialError) Unwrap() error { return e.err }

// dialTarget resolves addr (host:port), drops every private address, and
// dials the public ones in order until one answers. The check is made here,
// on the addresses actually dialled, so a second DNS answer cannot rebind
// an allowed name to a private address. It is the transport's DialContext
// and the CONNECT dialer when there is no upstream proxy.
func (p *Proxy) dialTarget(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &dialError{addr, err}
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, &dialError{addr, err}
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = p.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, &dialError{addr, fmt.Errorf("resolving: %w", err)}
		}
	}
	public := addrs[:0:0]
	for _, a := range addrs {
		if isPrivate(a) {
			p.log.Info("refused private destination", "host", host, "addr", a)
			continue
		}
		public = append(public, a.Unmap().WithZone(""))
	}
	lastErr := error(ErrPrivateDestination)
	for i, a := range public {
		actx, cancel := partialDeadline(ctx, len(public)-i)
		c, err := p.dial(actx, network, netip.AddrPortFrom(a, uint16(port)).String())
		cancel()
		if err == nil {
			return c, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if len(addrs) == 0 {
		lastErr = errors.New("no address")
	}
	return nil, &dialError{addr, lastErr}
}

// connectDial is goproxy's dialer for accepted CONNECT requests.
func (p *Proxy) connectDial(r *http.Request, network, addr string) (net.Conn, error) {
	ctx := r.Context()
	if p.upstream != nil {
		return p.upstream.dialConnect(ctx, addr)
	}
	return p.dialTarget(ctx, network, addr)
}

// errorStatus maps an upstream error to the answer: 403 for a private
// destination (a policy refusal), 504 for a timeout, 502 otherwise. Never
// 500.
func errorStatus(err error) int {
	var ne net.Error
	switch {
	case errors.Is(err, ErrPrivateDestination):
		return http.StatusForbidden
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return http.StatusGatewayTimeout
	default:
		return http.StatusBadGateway
	}
}

// errorText is the body of an upstream error answer; it never repeats the
// internal error text beyond its class.
func errorText(status int) string {
	switch status {
	case http.StatusForbidden:
		return "403 Destination privée refusée / Private destination refused\n"
	case http.StatusGatewayTimeout:
		return "504 Le site ne répond pas / Gateway timeout\n"
	default:
		return "502 Le site est injoignable / Bad gateway\n"
	}
}

// asDialError is errors.As for *dialError.
func asDialError(err error, target **dialError) bool { return errors.As(err, target) }

// partialDeadline gives one of several dial attempts its share of the time
// left (at least 2 s, as net.Dialer does), so that an unreachable first
// address does not use up the whole dial timeout.
func partialDeadline(ctx context.Context, attemptsLeft int) (context.Context, context.CancelFunc) {
	const minShare = 2 * time.Second
	left := dialTimeout
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	share := left / time.Duration(attemptsLeft)
	if share < minShare {
		share = min(minShare, left)
	}
	return context.WithTimeout(ctx, share)
}
