package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/elazarl/goproxy"
	"github.com/prometheus/client_golang/prometheus"
)

// InternalHost is the name under which the service's own pages (welcome
// screen, blocked page) are reachable through the proxy, in absolute-form
// http://kiosk.invalid/… requests only. The .invalid TLD never resolves.
const InternalHost = "kiosk.invalid"

// Policy is the current session as the proxy needs it. Implementations
// must be safe for concurrent use and cheap: they are called on the request
// path.
type Policy interface {
	// Supervised reports whether the supervised sites are open (an
	// agent-unlocked session is running).
	Supervised() bool
	// Override reports whether an agent has opened host (canonical name)
	// for the current session.
	Override(host string) bool
}

// Recorder receives what the proxy decides, for the usage store.
// Implementations must be safe for concurrent use and cheap: the proxy calls
// them synchronously on the request path.
type Recorder interface {
	// Blocked records a refused host (canonical) and the host of the page
	// that asked for it (from Referer or Origin; empty when unknown). It
	// never receives a path or a query.
	Blocked(host, from string)
	// Allowed records a request admitted by the site named site (the
	// allowlist Site.Name). It is not called for agent overrides.
	Allowed(site string)
}

// Resolver resolves host names to addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config is the configuration of a Proxy.
type Config struct {
	// Logger is used for the proxy's own and goproxy's logs. If nil,
	// slog.Default() is used.
	Logger *slog.Logger
	// Allowlist returns the list in force; it is called for every request,
	// so that a reload takes effect at once. It must not be nil. A nil
	// list refuses everything.
	Allowlist func() *allowlist.List
	// Policy is the current session. If nil, only Public sites are open
	// and there are no overrides.
	Policy Policy
	// Recorder receives decisions. It may be nil.
	Recorder Recorder
	// Upstream is an optional institutional proxy (http:// or https://)
	// used for plain requests and CONNECT alike. With it, the upstream
	// resolves names; see docs/proxy.md for what rule 8 then covers.
	Upstream *url.URL
	// Resolver resolves target names. If nil, net.DefaultResolver is used.
	Resolver Resolver
	// Dial opens TCP connections. If nil, a net.Dialer with a 10 s timeout
	// is used. For targets it is always called with an IP:port that passed
	// the private-address check; with Upstream, it is called with the
	// upstream's own host:port, unchecked.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Internal serves absolute-form requests to http://kiosk.invalid/. If
	// nil, they get 404. It is never reachable through CONNECT.
	Internal http.Handler
	// BlockedPage writes the answer to a refused page request: GET or HEAD
	// with Sec-Fetch-Dest document/frame/iframe, or without Sec-Fetch-Dest
	// and an Accept naming text/html. It must answer 403. If nil, the
	// built-in French page is used. Other refused requests (resources,
	// XHR) get a short plain-text 403 without calling it.
	BlockedPage func(w http.ResponseWriter, r *http.Request, host string)
	// Registerer receives the proxy's metrics. It may be nil.
	Registerer prometheus.Registerer
	// MaxConns caps the open client connections of the listener returned
	// by Listener. If zero, DefaultMaxConns is used; if negative, there is
	// no cap.
	MaxConns int
	// BodyIdleTimeout cuts a request body that sends nothing for this
	// long (the connection is closed and the request fails with 502). If
	// zero, DefaultBodyIdleTimeout is used; if negative, there is none.
	BodyIdleTimeout time.Duration
}

// Proxy is the kiosk's filtering forward proxy, an http.Handler to serve on
// the proxy port. It's safe for concurrent use.
type Proxy struct {
	conf     Config
	log      *slog.Logger
	gp       *goproxy.ProxyHttpServer
	tr       *http.Transport
	resolver Resolver
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	upstream *upstream
	metrics  *metrics
	maxConns int
	bodyIdle time.Duration
	bodyLog  atomic.Int64 // unix nanoseconds of the last "request body cut" Warn
}

// Dial timeouts and upstream waiting limits.
const (
	dialTimeout           = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	idleConnTimeout       = 90 * time.Second
	maxIdlePerHost        = 512
)

// New returns a proxy for c. It returns an error when c is invalid or the
// metrics cannot be registered.
func New(c *Config) (*Proxy, error) {
	if c == nil || c.Allowlist == nil {
		return nil, errors.New("creating proxy: Config.Allowlist must not be nil")
	}
	p := &Proxy{conf: *c, log: c.Logger, resolver: c.Resolver, dial: c.Dial}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.log = p.log.With("component", "proxy")
	p.maxConns, p.bodyIdle = c.MaxConns, c.BodyIdleTimeout
	if p.maxConns == 0 {
		p.maxConns = DefaultMaxConns
	}
	if p.bodyIdle == 0 {
		p.bodyIdle = DefaultBodyIdleTimeout
	}
	if p.resolver == nil {
		p.resolver = net.DefaultResolver
	}
	if p.dial == nil {
		p.dial = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	if c.Upstream != nil {
		u, err := newUpstream(c.Upstream, p.dial)
		if err != nil {
			return nil, fmt.Errorf("creating proxy: %w", err)
		}
		p.upstream = u
	}
	m, err := newMetrics(c.Registerer)
	if err != nil {
		return nil, fmt.Errorf("creating proxy: %w", err)
	}
	p.metrics = m
	p.tr = p.newTransport()
	p.gp = p.newGoproxy()
	return p, nil
}

// newTransport replaces goproxy's transport (design.md §3 rule 9): TLS
// verification on, no proxy from the environment, a large idle pool, no
// compression, the checked dialer.
func (p *Proxy) newTransport() *http.Transport {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            p.dialTarget,
		MaxIdleConns:           4 * maxIdlePerHost,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		IdleConnTimeout:        idleConnTimeout,
		TLSHandshakeTimeout:    dialTimeout,
		ResponseHeaderTimeout:  responseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		ForceAttemptHTTP2:      false,
		MaxResponseHeaderBytes: 1 << 20,
		// Read/WriteBufferSize stay at Go's 4 KB: body copies use a pooled
		// buffer and read past bufio, and each idle upstream connection
		// keeps both buffers.
	}
	if p.upstream != nil {
		tr.Proxy = http.ProxyURL(p.upstream.url)
		tr.DialContext = p.upstream.dialProxy
		tr.TLSClientConfig = p.upstream.tlsConfig()
	}
	return tr
}

// Close closes the idle upstream connections. Tunnels and requests in
// flight are not interrupted; the http.Server that serves the proxy
// handles shutdown.
func (p *Proxy) Close() error {
	p.tr.CloseIdleConnections()
	return nil
}
