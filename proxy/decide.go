package proxy

import (
	"strings"

	"github.com/communes/kiosk/allowlist"
)

// Default ports of the two kinds of request (design.md §3 rule 6).
const (
	httpPort    = 80
	connectPort = 443
)

// verdict is the outcome of judging one request target.
type verdict struct {
	allowed bool
	// site is the allowlist site that admitted the target, nil when
	// refused or admitted by an agent override.
	site *allowlist.Site
}

// judge decides one target against the current allowlist and session
// policy. It never looks at headers: the target comes from the request
// line. connect selects the CONNECT rules (default port 443) over plain
// HTTP (default port 80). It's safe for concurrent use.
func (p *Proxy) judge(t target, connect bool) verdict {
	if isInternalHost(t.host) {
		// The service's own pages are served by Internal over plain
		// http only (see ServeHTTP), never tunnelled nor proxied.
		return verdict{}
	}
	if t.ip && isPrivate(t.addr) {
		// Even when an ips: entry names it, and even with an upstream
		// proxy that would otherwise resolve and dial on our behalf.
		return verdict{}
	}
	list := p.conf.Allowlist()
	if list == nil {
		return verdict{}
	}
	port := t.port
	if connect && port == connectPort || !connect && port == httpPort {
		// The scheme's default port: only patterns without a port match.
		port = 0
	}
	supervised := p.conf.Policy != nil && p.conf.Policy.Supervised()
	d := list.Match(t.host, port, supervised)
	if d.Allowed {
		return verdict{allowed: true, site: d.Site()}
	}
	if p.conf.Policy != nil && !t.ip && port == 0 && p.conf.Policy.Override(t.host) {
		return verdict{allowed: true}
	}
	return verdict{}
}

// isInternalHost reports whether h is InternalHost or one of its
// subdomains.
func isInternalHost(h string) bool {
	return h == InternalHost || strings.HasSuffix(h, "."+InternalHost)
}
