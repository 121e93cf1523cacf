package allowlist

import "strings"

// List is a parsed, validated allowlist. It is immutable once built by
// Parse or Load, so it's safe for concurrent use: a reload builds a new List
// and swaps it (for example with an atomic.Pointer).
type List struct {
	// Version is the file's version (1).
	Version int
	// Sites are all the sites of the file, public and supervised, in file
	// order.
	Sites []*Site
	// File is the file name given to Parse.
	File string
	// SelfService are the categories of supervised: sites that the file's
	// self_service key opens to every resident, as written, in file order.
	SelfService []string

	public, supervised []*Site
	// byHost indexes the portless patterns by canonical host; byHostPort
	// those naming a port.
	byHost     map[string]*entry
	byHostPort map[hostPort]*entry
	patterns   int
	// depths has bit n set when some name or IPv4 pattern has n labels
	// (a host has at most 127).
	depths   [2]uint64
	maxDepth int
}

// hostPort is the key of patterns that name a port.
type hostPort struct {
	host string
	port uint16
}

// entry holds the patterns of one canonical host (and port), by kind and
// by group. Duplicates are refused at parse time, so each slot holds at
// most one pattern.
type entry struct {
	exact, sub [2]*Pattern
}

// PublicSites returns the sites open to every resident, in file order.
// The slice must not be modified.
func (l *List) PublicSites() []*Site { return l.public }

// SupervisedSites returns the sites open only in agent-unlocked sessions,
// in file order. The slice must not be modified.
func (l *List) SupervisedSites() []*Site { return l.supervised }

// NumPatterns returns the number of host and IP patterns in the list.
func (l *List) NumPatterns() int { return l.patterns }

// Match decides whether host on port is allowed. host must be canonical
// (the output of CanonicalHost): any other spelling is denied. port 0 means
// the scheme's default port (80 for plain HTTP, 443 for CONNECT) and
// matches only patterns without a port; another port matches only patterns
// naming it. With supervised false the Supervised group is ignored.
//
// A name pattern "caf.fr" matches "caf.fr" and every name ending in
// ".caf.fr"; ".caf.fr" matches "caf.fr" only; an IP pattern matches only
// the identical canonical address. The most specific host wins; at the
// same host a public pattern wins over a supervised one. Match does not
// allocate and costs at most one map lookup per label of host (only for
// the label counts some pattern has), whatever the size of the list.
func (l *List) Match(host string, port int, supervised bool) Decision {
	if l == nil || host == "" || port < 0 || port > 65535 {
		return Decision{}
	}
	var dots [maxLabels]uint8
	n := scanName(host, &dots)
	if n == 0 {
		// Not a canonical name: only an identical key (an IPv6 address
		// listed under ips:) can match.
		if p := l.lookup(host, port).pick(true, supervised); p != nil {
			return Decision{Allowed: true, Pattern: p}
		}
		return Decision{}
	}
	// Look up host and its suffixes at label boundaries, longest first,
	// but only those whose label count some pattern has. The suffix of k
	// labels starts after the (n-k)th dot.
	for k := min(n, l.maxDepth); k >= 1; k-- {
		if l.depths[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		start := 0
		if k < n {
			start = int(dots[n-k-1]) + 1
		}
		if p := l.lookup(host[start:], port).pick(k == n, supervised); p != nil {
			return Decision{Allowed: true, Pattern: p}
		}
	}
	return Decision{}
}

// lookup returns the entry of host and port, or nil.
func (l *List) lookup(host string, port int) *entry {
	if port == 0 {
		return l.byHost[host]
	}
	return l.byHostPort[hostPort{host, uint16(port)}]
}

// pick returns the pattern of e that applies: at the full host (full true)
// exact and subdomain patterns, at a proper suffix subdomain patterns only.
func (e *entry) pick(full, supervised bool) *Pattern {
	if e == nil {
		return nil
	}
	if full && e.exact[Public] != nil {
		return e.exact[Public]
	}
	if e.sub[Public] != nil {
		return e.sub[Public]
	}
	if !supervised {
		return nil
	}
	if full && e.exact[Supervised] != nil {
		return e.exact[Supervised]
	}
	return e.sub[Supervised]
}

// maxLabels is the most labels a name of maxHostLen bytes can have.
const maxLabels = (maxHostLen + 1) / 2

// scanName returns the number of labels of host when it is a canonical
// name as CanonicalHost returns it (a dotted quad included), and 0
// otherwise. It stores the offsets of the dots in dots. It does not
// allocate.
func scanName(host string, dots *[maxLabels]uint8) int {
	if len(host) > maxHostLen {
		return 0
	}
	start, n := 0, 1
	for i := 0; i < len(host); i++ {
		switch hostClass[host[i]] {
		case className:
		case classDot:
			if i == start || i-start > maxLabelLen {
				return 0
			}
			dots[n-1] = uint8(i)
			start = i + 1
			n++
		default:
			return 0
		}
	}
	if start == len(host) || len(host)-start > maxLabelLen {
		return 0
	}
	return n
}

// index adds the patterns of the list's sites to its maps.
func (l *List) index() {
	l.byHost = make(map[string]*entry)
	l.byHostPort = make(map[hostPort]*entry)
	for _, s := range l.Sites {
		for _, p := range s.Patterns {
			l.patterns++
			l.add(p.Host, p)
			if strings.HasPrefix(p.Host, "[") {
				// Also accept the unbracketed spelling of an IPv6 address.
				l.add(p.Host[1:len(p.Host)-1], p)
			}
		}
	}
}

// add puts p in the entry of host (and p's port).
func (l *List) add(host string, p *Pattern) {
	var dots [maxLabels]uint8
	if n := scanName(host, &dots); n > 0 {
		l.depths[n/64] |= 1 << (n % 64)
		l.maxDepth = max(l.maxDepth, n)
	}
	var e *entry
	if p.Port == 0 {
		if e = l.byHost[host]; e == nil {
			e = new(entry)
			l.byHost[host] = e
		}
	} else {
		k := hostPort{host, uint16(p.Port)}
		if e = l.byHostPort[k]; e == nil {
			e = new(entry)
			l.byHostPort[k] = e
		}
	}
	g := p.Site.Group
	if p.Exact {
		if e.exact[g] == nil {
			e.exact[g] = p
		}
	} else if e.sub[g] == nil {
		e.sub[g] = p
	}
}
