package browser

import (
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/communes/kiosk/allowlist"

	"github.com/communes/kiosk/kiosk"
)

// NavAction is what decide-policy does with a navigation.
type NavAction int

const (
	NavUse      NavAction = iota // let it load
	NavIgnore                    // drop it silently
	NavRedirect                  // drop it and load another URL in the view
)

// navigator decides top-level navigations with the allowlist, the same
// matcher as the proxy: this is where a navigation is allowed (the
// platform's hooks, events_linux.go and events_windows.go, ask it; see
// docs/shell.md, "Navigation policy"). It's safe for concurrent use.
type navigator struct {
	list       atomic.Pointer[allowlist.List]
	supervised atomic.Bool
	lang       atomic.Pointer[string]
	// overrides are the hosts an agent opened for the open session (the
	// state's "overrides"), canonical; nil outside a session.
	overrides atomic.Pointer[[]string]
}

// setSession makes the matcher follow the session's state: its supervised
// sites and the hosts an agent opened. A state outside a session (welcome,
// ending, wiping...) carries neither, so they are forgotten with the session.
func (n *navigator) setSession(supervised bool, overrides []string) {
	n.supervised.Store(supervised)
	if len(overrides) == 0 {
		n.overrides.Store(nil)
		return
	}
	hosts := make([]string, 0, len(overrides))
	for _, h := range overrides {
		if c, err := allowlist.CanonicalHost(h); err == nil && !allowlist.IsIPLiteral(c) {
			hosts = append(hosts, c)
		}
	}
	n.overrides.Store(&hosts)
}

// Decide returns what to do with a navigation of the main frame to raw.
// newWindow is true for target=_blank and window.open: an allowed URL then
// loads in the same view.
func (n *navigator) decide(raw string, newWindow bool) (NavAction, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return NavIgnore, ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "about":
		// load_html (the built-in screens) navigates to about:blank.
		if raw == "about:blank" && !newWindow {
			return NavUse, ""
		}
		return NavIgnore, ""
	case "blob":
		// A blob: URL belongs to the origin that made it (a PDF built by an
		// allowed page): judge that origin.
		inner, err := url.Parse(u.Opaque)
		if err != nil || (inner.Scheme != "http" && inner.Scheme != "https") || !n.allowed(inner.String()) {
			return NavIgnore, ""
		}
		if newWindow {
			return NavRedirect, raw
		}
		return NavUse, ""
	default:
		// file:, data:, javascript:, mailto:, ftp:, anything else.
		return NavIgnore, ""
	}
	if isPortal(u) || n.allowed(raw) {
		if newWindow {
			return NavRedirect, raw
		}
		return NavUse, ""
	}
	return NavRedirect, n.blockedURL(u.Hostname())
}

// frameDecide is decide-policy for a navigation of a frame WebKit does not
// name (main frame or subframe): schemes that no frame may load here are
// refused; http(s) goes on to the proxy (and, for the main frame, to the
// allowlist check, decide, which WebKitGTK asks at the main resource's
// response decision and on notify::uri: Browser.MainFrame; WebView2 at
// NavigationStarting). See docs/shell.md, "Navigation policy".
func frameDecide(raw string) NavAction {
	u, err := url.Parse(raw)
	if err != nil {
		return NavIgnore
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "about", "blob":
		return NavUse
	}
	return NavIgnore
}

// allowed matches raw (http or https) against the current allowlist, with
// the session's supervised sites when it is supervised, and the hosts an
// agent opened for the session (that exact host, on the scheme's default
// port, as the proxy does). With no list yet, only the portal is allowed.
func (n *navigator) allowed(raw string) bool {
	host, port, err := allowlist.SplitURL(raw)
	if err != nil {
		return false
	}
	if n.overridden(host, port) {
		return true
	}
	l := n.list.Load()
	if l == nil {
		return false
	}
	return l.Match(host, port, n.supervised.Load()).Allowed
}

// overridden reports whether an agent opened host (canonical) for the
// session; only the default port (0) qualifies.
func (n *navigator) overridden(host string, port int) bool {
	p := n.overrides.Load()
	if p == nil || port != 0 || allowlist.IsIPLiteral(host) {
		return false
	}
	return slices.Contains(*p, host)
}

// pinCallAllowed reports whether a page may call a binding that carries an
// agent's PIN (kioskUnlock, kioskOverride), so that an allowed site's own
// script cannot spend the terminal's PIN attempts. committed is the URI of
// the main frame's committed document (not a provisional load: the page
// that called is still the old one until the new one commits). The portal
// (http://kiosk.invalid/) may always call. For kioskOverride (host not
// empty), the page may also be the proxy's blocked page for that very
// host: the document's host is host, the shell refuses it (so no allowed
// site's script runs there) and its main resource came with status 403.
func (n *navigator) pinCallAllowed(committed string, status int, host string) bool {
	if isPortalURL(committed) {
		return true
	}
	if host == "" || status != 403 {
		return false
	}
	want, err := allowlist.CanonicalHost(host)
	if err != nil {
		return false
	}
	got, _, err := allowlist.SplitURL(committed)
	return err == nil && got == want && !n.allowed(committed)
}

// blockedURL is the portal's blocked page for host.
func (n *navigator) blockedURL(host string) string {
	q := url.Values{"host": {host}}
	if p := n.lang.Load(); p != nil && *p != "" {
		q.Set("lang", *p)
	}
	return kiosk.PortalURL + "blocked?" + q.Encode()
}

// portalURL returns the portal page path (such as "home") in the session's
// language.
func (n *navigator) portalURL(path string) string {
	if p := n.lang.Load(); p != nil && *p != "" {
		return kiosk.PortalURL + path + "?" + url.Values{"lang": {*p}}.Encode()
	}
	return kiosk.PortalURL + path
}

// isPortal reports whether u is on the service's internal host, plain http
// on the default port.
func isPortal(u *url.URL) bool {
	return u.Scheme == "http" && u.Host == kiosk.PortalHost && u.User == nil
}

// isPortalURL is isPortal for a string.
func isPortalURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && isPortal(u)
}

// hostOf returns the host of raw for logs: never the full URL (privacy).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	if u.Host == "" {
		return u.Scheme + ":"
	}
	return u.Hostname()
}
