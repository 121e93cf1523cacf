// Package admin serves the kiosk's admin page: a French, server-rendered
// dashboard of the usage counts, the "Sites à compléter" learning view of
// blocked hosts, the allowlist status, a CSV export and a printable monthly
// report, behind a password login. It also serves /metrics, /healthz, the
// /stats.json endpoint used by `kiosk stats`, and mounts the shell's local
// API at /api/.
//
// See docs/admin.md for the security model.
package admin

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/usage"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

//go:embed templates/*.tmpl static/*
var assets embed.FS

// Stats is what the admin page needs from the usage store; *usage.Store
// implements it.
type Stats interface {
	// Report returns the counts of the calendar days from..to, inclusive.
	Report(from, to time.Time) (*usage.Report, error)
	// BlockedHosts returns the refused hosts of the days from..to, those
	// asked for by the most sessions first.
	BlockedHosts(from, to time.Time) ([]usage.BlockedHost, error)
	// Healthy returns nil when the store works.
	Healthy() error
}

// type check
var _ Stats = (*usage.Store)(nil)

// Status is the live state of the service shown on the admin page and
// checked by /healthz.
type Status struct {
	// AllowlistFile is the path of the allowlist in force.
	AllowlistFile string
	// AllowlistLoaded is when the list in force was loaded; zero if none is.
	AllowlistLoaded time.Time
	// AllowlistSites is the number of sites in the list in force.
	AllowlistSites int
	// AllowlistError is the last reload error ("" when the last reload
	// worked). The previous list stays in force.
	AllowlistError string
	// AllowlistErrorAt is when AllowlistError happened.
	AllowlistErrorAt time.Time
	// ProxyAddr is the proxy's listen address.
	ProxyAddr string
	// ProxyHealthy is nil when the proxy is listening and serving.
	ProxyHealthy error
	// Terminal is the live terminal state in French ("Accueil", "Session en
	// cours", "Hors service"...), "" when unknown.
	Terminal string
	// HelpRequested is when a resident pressed "Besoin d'aide" in the current
	// session; zero when no request is pending. Shown on every page.
	HelpRequested time.Time
	// TerminalName is the terminal's name (kiosk serve --terminal-name),
	// shown on every page, in the monthly report and in /stats.json.
	TerminalName string
	// System is the "État du système" block (updates, versions); nil
	// hides it.
	System *SystemStatus
}

// SystemStatus is what the admin page shows of the terminal's updates.
type SystemStatus struct {
	// KioskVersion and WebKitVersion are the installed versions.
	KioskVersion, WebKitVersion string
	// LastRun, LastResult and LastPackages are the last run of
	// unattended-upgrades: when, its result ("ok", "nothing to do" or an
	// error line) and the packages it upgraded.
	LastRun      time.Time
	LastResult   string
	LastPackages []string
	// Waiting is the number of packages with an upgrade waiting; -1 if
	// unknown.
	Waiting int
	// Window is the maintenance window ("22:00-06:00" or "off").
	Window string
	// Pending is "restart" or "reboot" when one waits for the window,
	// "" otherwise; PendingSince is since when.
	Pending      string
	PendingSince time.Time
	// Overdue is true when Pending has waited more than 7 days (shown in
	// red).
	Overdue bool
	// LastError is the last failure of a restart or reboot.
	LastError string
	// BrowserFailures is the number of browser starts in a row that
	// failed (kiosk_browser_start_failures); 0 once a start works.
	BrowserFailures int
	// BrowserOutOfOrder is true when the shell gave up quick retries (3
	// failures): the terminal is out of order, and BrowserMessage (in red)
	// names the update that preceded the first failure, at BrowserSince.
	BrowserOutOfOrder bool
	BrowserMessage    string
	BrowserSince      time.Time
	// BrowserUpdateAt and BrowserUpdatePackages are that update; zero
	// when apt's history names none.
	BrowserUpdateAt       time.Time
	BrowserUpdatePackages []string
	// BrowserError is the last failure's cause (an exit status).
	BrowserError string
}

// Config configures a Server.
type Config struct {
	// Logger receives the server's logs; main derives it with
	// l.With("component", "admin"). If nil, slog.Default is used.
	Logger *slog.Logger
	// Store is the usage store. It must not be nil.
	Store Stats
	// Credentials is the path of the credentials file (see
	// CredentialsFileName). It must not be empty. It is re-read when it
	// changes.
	Credentials string
	// Status returns the live status. If nil, the status is unknown and
	// /healthz reports the allowlist as not loaded.
	Status func() Status
	// Gatherer is served at /metrics. If nil, a new empty registry is used.
	Gatherer prometheus.Gatherer
	// API is mounted at /api/ unchanged; it checks its own token. May be nil.
	API http.Handler
	// APITokenFile is the per-boot API token file; GET /stats.json requires
	// "Authorization: Bearer <token>". It is read at each request whose file
	// changed. If empty, /stats.json is refused.
	APITokenFile string
	// TLS marks cookies Secure (and names the session cookie __Host-…). Set it
	// when the listener uses TLS.
	TLS bool
	// Hosts are the host names and IP addresses, besides localhost,
	// 127.0.0.1, ::1 and the address a connection arrived on, that a
	// request's Host header may name; any other Host gets 421 Misdirected
	// Request (the guard against DNS rebinding, docs/admin.md). Case, one
	// trailing dot and the port are ignored; "*.example.org" accepts one
	// label under example.org. HostNames lists those of a listen address
	// and its certificate. May be empty; a malformed entry makes New fail.
	Hosts []string
	// Location defines calendar days; it must be the usage store's. If nil,
	// time.Local is used.
	Location *time.Location
	// Now returns the current time. If nil, time.Now is used.
	Now func() time.Time
	// Agents are the agent accounts (agents.json) that may log in besides
	// the built-in "admin" of Credentials. If nil, only the built-in admin
	// logs in and the agents page says accounts are not wired.
	Agents Agents
	// Session is the live terminal for the live view and its remote
	// actions. If nil, the live view says the state is unknown and the
	// actions answer 503. When set, the pending help request and the
	// terminal state complete Status.
	Session SessionControl
	// SiteOperators returns, for the sites of the allowlist in force, the
	// France Services operator each belongs to (site name → "CAF", "ANTS"…;
	// sites of no operator are left out), sent in /stats.json for
	// `kiosk report`. If nil, /stats.json sends none.
	SiteOperators func() map[string]string
	// Audit records the admin page's own actions (logins, account changes)
	// and reads the audit log. If nil and Store implements Auditor (as
	// *usage.Store does), Store is used; otherwise nothing is audited.
	Audit Auditor
	// Allowlist returns the list in force, to group the learning view's
	// refused hosts by the site whose page asked for them. If nil (or when
	// it returns nil), the view is not grouped.
	Allowlist func() *allowlist.List
	// AllowlistFile is the local allowlist file that the learning view's
	// "Ajouter" button edits (admin role), keeping a backup beside it; the
	// service's file watcher reloads it. Empty when the list comes from a
	// URL: then the button is not offered. The service must be able to
	// create files in its directory, or the button shows why it's disabled.
	AllowlistFile string
}

// Server is the admin HTTP handler. It's safe for concurrent use.
type Server struct {
	log      *slog.Logger
	store    Stats
	creds    *credentialStore
	status   func() Status
	gatherer prometheus.Gatherer
	api      http.Handler
	token    *tokenFile
	tls      bool
	hosts    *hostPolicy
	loc      *time.Location
	now      func() time.Time

	sessions    *sessionStore
	limiter     *limiter
	pages       map[string]*template.Template
	metricsAuth *basicCache
	metrics     http.Handler  // promhttp for gatherer
	hashSem     chan struct{} // bounds concurrent argon2id runs
	mux         http.Handler
	agents      Agents
	session     SessionControl
	auditor     Auditor
	operators   func() map[string]string // may be nil

	allowlist     func() *allowlist.List
	allowlistFile string
	allowMu       sync.Mutex // serialises edits of allowlistFile
}

// New returns a Server. c must not be nil.
func New(c *Config) (*Server, error) {
	if c.Store == nil {
		return nil, errors.New("admin: Config.Store is nil")
	}
	if c.Credentials == "" {
		return nil, errors.New("admin: Config.Credentials is empty")
	}
	s := &Server{
		log: c.Logger, store: c.Store, status: c.Status, gatherer: c.Gatherer,
		api: c.API, tls: c.TLS, loc: c.Location, now: c.Now,
		creds:       &credentialStore{path: c.Credentials},
		token:       &tokenFile{path: c.APITokenFile},
		hashSem:     make(chan struct{}, 2),
		metricsAuth: &basicCache{},
		agents:      c.Agents,
		session:     c.Session,
		auditor:     c.Audit,
		operators:   c.SiteOperators,

		allowlist:     c.Allowlist,
		allowlistFile: c.AllowlistFile,
	}
	hosts, err := newHostPolicy(c.Hosts)
	if err != nil {
		return nil, fmt.Errorf("admin: Config.Hosts: %w", err)
	}
	s.hosts = hosts
	if a, ok := c.Store.(Auditor); ok && s.auditor == nil {
		s.auditor = a
	}
	if s.log == nil {
		s.log = slog.Default().With("component", "admin")
	}
	if s.status == nil {
		s.status = func() Status { return Status{} }
	}
	if s.gatherer == nil {
		s.gatherer = prometheus.NewRegistry()
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.metrics = promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{})
	s.sessions = newSessionStore(s.now)
	s.limiter = newLimiter(s.now)
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	s.pages = pages
	s.mux = s.routes()
	return s, nil
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
