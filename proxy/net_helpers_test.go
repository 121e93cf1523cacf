package proxy_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// fakeNet is the tests' network seam: a Resolver with a fixed table and a
// Dial that maps public test addresses to loopback listeners and records
// every address it was asked to dial.
type fakeNet struct {
	mu     sync.Mutex
	names  map[string][]netip.Addr
	routes map[string]string // "203.0.113.10:80" -> "127.0.0.1:port"
	dialed []string
	// dialErr, when set, is returned for that address instead of dialing.
	dialErr map[string]error
}

func newFakeNet(o *origin) *fakeNet {
	pub := []netip.Addr{netip.MustParseAddr(publicAddr)}
	n := &fakeNet{
		names: map[string][]netip.Addr{
			"www.caf.fr":         pub,
			"caf.fr":             pub,
			"api.caf.fr":         pub,
			"www.impots.gouv.fr": pub,
			"ports.example.org":  pub,
			"tls.example.org":    pub,
			"laposte.net":        pub,
			"www.example.com":    pub,
			"evilcaf.fr":         pub,
		},
		routes:  map[string]string{},
		dialErr: map[string]error{},
	}
	if o != nil {
		n.routes[publicAddr+":80"] = o.http.Listener.Addr().String()
		n.routes[publicAddr+":8080"] = o.http.Listener.Addr().String()
		n.routes[publicAddr+":443"] = o.https.Listener.Addr().String()
		n.routes[publicAddr+":8443"] = o.https.Listener.Addr().String()
		n.routes["203.0.113.50:80"] = o.http.Listener.Addr().String()
		n.routes["[2001:db8::50]:80"] = o.http.Listener.Addr().String()
	}
	return n
}

func (n *fakeNet) setName(name string, addrs ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var as []netip.Addr
	for _, a := range addrs {
		as = append(as, netip.MustParseAddr(a))
	}
	n.names[name] = as
}

func (n *fakeNet) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if as, ok := n.names[host]; ok {
		return append([]netip.Addr(nil), as...), nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (n *fakeNet) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	n.dialed = append(n.dialed, addr)
	to, ok := n.routes[addr]
	derr := n.dialErr[addr]
	n.mu.Unlock()
	if derr != nil {
		return nil, derr
	}
	if !ok {
		if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Addr().IsLoopback() {
			// Only the upstream-proxy tests dial loopback directly.
			to = addr
		} else {
			return nil, fmt.Errorf("test network: no route to %s", addr)
		}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}

// dials returns the addresses the proxy asked to dial.
func (n *fakeNet) dials() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dialed...)
}

// recorder records the proxy's Recorder calls.
type recorder struct {
	mu      sync.Mutex
	blocked [][2]string
	allowed []string
}

func (r *recorder) Blocked(host, from string) {
	r.mu.Lock()
	r.blocked = append(r.blocked, [2]string{host, from})
	r.mu.Unlock()
}

func (r *recorder) Allowed(site string) {
	r.mu.Lock()
	r.allowed = append(r.allowed, site)
	r.mu.Unlock()
}

func (r *recorder) snapshot() ([][2]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][2]string(nil), r.blocked...), append([]string(nil), r.allowed...)
}

// policy is a settable Policy.
type policy struct {
	mu         sync.Mutex
	supervised bool
	overrides  map[string]bool
}

func (p *policy) Supervised() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.supervised }
func (p *policy) Override(h string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.overrides[h]
}
