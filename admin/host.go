package admin

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// The Host check. A web page can make a name of its own resolve to
// 127.0.0.1 (DNS rebinding); the browser then treats the admin listener as
// that page's origin, CrossOriginProtection sees a matching Origin and the
// page can read /setup and /metrics. Such a request still names the page's
// host in its Host header, so the listener answers only the names it is
// really reached by: localhost, 127.0.0.1, [::1], the address the
// connection arrived on (an IP literal the browser really connected to)
// and Config.Hosts. The port is not compared: it gives no protection (the
// rebinding page uses the listener's port) and differs legitimately behind
// an SSH tunnel or a port forward.

// hostPolicy says which Host headers the admin listener answers. It is
// read-only after newHostPolicy, so safe for concurrent use.
type hostPolicy struct {
	names map[string]bool     // canonical names: lower case, no trailing dot
	addrs map[netip.Addr]bool // unmapped, no zone
	wild  []string            // ".example.org" for "*.example.org"
}

// newHostPolicy returns the policy for the loopback names plus extra
// (Config.Hosts), refusing an entry that is not a host name, an IP address
// or "*." and a host name.
func newHostPolicy(extra []string) (*hostPolicy, error) {
	p := &hostPolicy{
		names: map[string]bool{"localhost": true},
		addrs: map[netip.Addr]bool{netip.AddrFrom4([4]byte{127, 0, 0, 1}): true, netip.IPv6Loopback(): true},
	}
	for _, h := range extra {
		if err := p.add(h); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *hostPolicy) add(entry string) error {
	h := canonName(strings.TrimSpace(entry))
	if b, ok := strings.CutPrefix(h, "["); ok {
		h, ok = strings.CutSuffix(b, "]")
		if a, err := netip.ParseAddr(h); !ok || err != nil || !a.Is6() {
			return fmt.Errorf("host %q: brackets go around an IPv6 address only", entry)
		}
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return fmt.Errorf("host %q: an address with a zone cannot be a Host", entry)
		}
		p.addrs[a.Unmap()] = true
		return nil
	}
	if rest, ok := strings.CutPrefix(h, "*."); ok && validName(rest) {
		p.wild = append(p.wild, "."+rest)
		return nil
	}
	if !validName(h) {
		return fmt.Errorf("host %q: want a DNS name (ASCII, punycode for accents) or an IP address", entry)
	}
	p.names[h] = true
	return nil
}

// allows reports whether host, a request's Host ("name", "name:port",
// "1.2.3.4:port", "[::1]:port"), names this server. local is the address
// the connection arrived on; nil when unknown.
func (p *hostPolicy) allows(host string, local net.Addr) bool {
	name, ok := splitHost(host)
	if !ok {
		return false
	}
	if a, err := netip.ParseAddr(name); err == nil {
		if a.Zone() != "" {
			return false
		}
		a = a.Unmap()
		return p.addrs[a] || a == addrOf(local)
	}
	if p.names[name] {
		return true
	}
	for _, w := range p.wild {
		if rest, ok := strings.CutSuffix(name, w); ok && rest != "" && !strings.Contains(rest, ".") {
			return true
		}
	}
	return false
}

// splitHost returns the canonical name or address of a Host header
// without its port, and false when it is empty or malformed: a bare IPv6
// address, an empty or non-decimal port, brackets around anything but an
// IPv6 address.
func splitHost(host string) (string, bool) {
	var name, port string
	var hasPort bool
	if b, ok := strings.CutPrefix(host, "["); ok {
		var rest string
		name, rest, ok = strings.Cut(b, "]")
		if a, err := netip.ParseAddr(name); !ok || err != nil || !a.Is6() {
			return "", false
		}
		if port, hasPort = strings.CutPrefix(rest, ":"); rest != "" && !hasPort {
			return "", false
		}
	} else {
		name, port, hasPort = strings.Cut(host, ":")
		if strings.Contains(port, ":") {
			return "", false
		}
	}
	if name == "" || hasPort && !validPort(port) {
		return "", false
	}
	return canonName(name), true
}

// validPort reports whether p is a decimal port 1-65535, without sign or
// leading zero.
func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}

// canonName lower-cases ASCII letters and drops one trailing dot
// ("LocalHost." is "localhost").
func canonName(s string) string {
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// validName reports whether s is a lower-case ASCII DNS name: labels of
// 1-63 characters of [a-z0-9_-], at most 253 characters.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// addrOf returns the IP address of a TCP address, or the zero Addr.
func addrOf(a net.Addr) netip.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(t.IP); ok {
			return ip.Unmap()
		}
	}
	return netip.Addr{}
}

// checkHost runs h only for a request whose Host names this server (see
// hostPolicy): 400 without a Host (HTTP/1.0), 421 Misdirected Request for
// any other name.
func (s *Server) checkHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "" {
			http.Error(w, "En-tête Host manquant (Host header required).", http.StatusBadRequest)
			return
		}
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if !s.hosts.allows(r.Host, local) {
			s.log.Warn("refused request: unknown Host (DNS rebinding?)", "host", clip(r.Host, 100),
				"path", clip(r.URL.Path, 100), "remote", r.RemoteAddr)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "Adresse inconnue : cette page ne répond qu'à 127.0.0.1, localhost, [::1], "+
				"à l'adresse IP de la machine et aux noms donnés par --admin-host (voir docs/admin.md).\n"+
				"Misdirected request: unknown Host.", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// HostNames returns the names and addresses, besides localhost, 127.0.0.1
// and ::1, by which the admin listener at addr is reached, for
// Config.Hosts: the host of addr when it names one (not empty, not an
// unspecified address) and, when conf is not nil, the DNS names and IP
// addresses of its first certificate. A certificate that does not parse
// adds nothing, nor does a name Config.Hosts would refuse.
func HostNames(addr string, conf *tls.Config) []string {
	var out []string
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" {
		if a, err := netip.ParseAddr(host); err != nil || !a.IsUnspecified() {
			out = append(out, host)
		}
	}
	if conf != nil && len(conf.Certificates) > 0 && len(conf.Certificates[0].Certificate) > 0 {
		if leaf, err := x509.ParseCertificate(conf.Certificates[0].Certificate[0]); err == nil {
			out = append(out, leaf.DNSNames...)
			for _, ip := range leaf.IPAddresses {
				out = append(out, ip.String())
			}
		}
	}
	// Keep what Config.Hosts accepts: an odd name in a certificate must not
	// stop the service.
	probe, _ := newHostPolicy(nil)
	kept := out[:0]
	for _, h := range out {
		if probe.add(h) == nil {
			kept = append(kept, h)
		}
	}
	return kept
}
