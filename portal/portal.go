// Package portal serves the pages the kiosk browser shows: the welcome
// screen, the session's start page, the blocked page, the end-of-session
// question, the out-of-order page, the site icons and the toolbar script
// that the shell injects into every page.
//
// The service serves them through the proxy's internal host
// http://kiosk.invalid/ (the browser reaches nothing else directly). Every
// page is self-contained: inline CSS and script allowed by a hash in the
// page's Content-Security-Policy, images from http://kiosk.invalid/ only, no
// external font, style or script. Every string residents read comes from
// the i18n table (i18n.go), French first.
package portal

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/communes/kiosk/allowlist"
)

// Base is the URL prefix of every portal page.
const Base = "http://kiosk.invalid/"

// DefaultSatisfactionTimeout is how long the end page shows its question
// when Config.SatisfactionTimeout is zero.
const DefaultSatisfactionTimeout = 15 * time.Second

// Config is the configuration of a Handler.
type Config struct {
	// Logger receives the messages. If nil, slog.Default() is used.
	Logger *slog.Logger
	// Allowlist returns the list in force (for the tiles and the icons
	// folder beside its file). It must not be nil; a nil list shows no
	// tiles.
	Allowlist func() *allowlist.List
	// Languages are the languages offered, the first being the default.
	// If empty, every language of Languages (the package variable) is
	// offered. Unknown codes make New fail.
	Languages []string
	// WelcomeText replaces the welcome screen's introduction, by language.
	WelcomeText map[string]string
	// Lang returns the session language, used by pages requested without
	// ?lang= (the proxy's blocked page). If nil, the default language is
	// used.
	Lang func() string
	// Supervised reports whether the supervised sites' tiles are open. If
	// nil, they never are.
	Supervised func() bool
	// SatisfactionTimeout is the length of the end-of-session question. If
	// zero, DefaultSatisfactionTimeout is used.
	SatisfactionTimeout time.Duration
	// Mode is the session mode (session.Mode as a string):
	// "self-service" (or empty), "supervised-only" (the welcome screen's
	// "Commencer" and tiles open the agent keypad) or "mixed" (a
	// "Session accompagnée" button opens the keypad). Other values make
	// New fail.
	Mode string
}

// The session modes (session.Mode values).
const (
	modeSelfService    = "self-service"
	modeSupervisedOnly = "supervised-only"
	modeMixed          = "mixed"
)

// Handler serves the portal. It's safe for concurrent use.
type Handler struct {
	conf    Config
	log     *slog.Logger
	langs   []Language
	toolbar []byte
}

// New returns a Handler for conf.
func New(conf *Config) (*Handler, error) {
	c := *conf
	if c.Allowlist == nil {
		return nil, errors.New("portal config: Allowlist must not be nil")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.SatisfactionTimeout <= 0 {
		c.SatisfactionTimeout = DefaultSatisfactionTimeout
	}
	switch c.Mode {
	case "":
		c.Mode = modeSelfService
	case modeSelfService, modeSupervisedOnly, modeMixed:
	default:
		return nil, fmt.Errorf("portal config: unknown mode %q", c.Mode)
	}
	h := &Handler{conf: c, log: c.Logger.With("component", "portal")}
	if len(c.Languages) == 0 {
		h.langs = Languages
	}
	for _, code := range c.Languages {
		i := slices.IndexFunc(Languages, func(l Language) bool { return l.Code == code })
		if i < 0 {
			return nil, fmt.Errorf("portal config: unknown language %q", code)
		}
		h.langs = append(h.langs, Languages[i])
	}
	tb, err := buildToolbar()
	if err != nil {
		return nil, err
	}
	h.toolbar = tb
	return h, nil
}

// ServeHTTP implements http.Handler for GET and HEAD requests to the
// internal host (paths only: the proxy has already checked the host).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/" || p == "":
		h.render(w, r, http.StatusOK, h.welcomePage(r))
	case p == "/home":
		h.render(w, r, http.StatusOK, h.homePage(r))
	case p == "/blocked":
		h.Blocked(w, r, r.URL.Query().Get("host"))
	case p == "/aide":
		h.render(w, r, http.StatusOK, h.basePage(r, "aide", "bar.help"))
	case p == "/end":
		h.render(w, r, http.StatusOK, h.basePage(r, "end", "end.title"))
	case p == "/out-of-order":
		h.render(w, r, http.StatusServiceUnavailable, h.basePage(r, "ooo", "ooo.title"))
	case p == "/go":
		h.goSite(w, r)
	case p == "/toolbar.js":
		h.serveToolbar(w, r)
	case strings.HasPrefix(p, "/icons/"):
		h.serveIcon(w, r, strings.TrimPrefix(p, "/icons/"))
	default:
		h.render(w, r, http.StatusNotFound, h.basePage(r, "notfound", "notfound.title"))
	}
}

// Blocked writes the blocked page for host with status 403, in the session
// language. Its signature fits proxy.Config.BlockedPage. The page is
// self-contained, since the proxy serves it in place of the refused site.
func (h *Handler) Blocked(w http.ResponseWriter, r *http.Request, host string) {
	p := h.basePage(r, "blocked", "blocked.title")
	p.Host = displayHost(host)
	p.Data["host"] = p.Host
	p.Data["webmail"] = h.isWebmail(host)
	p.keypadData()
	h.render(w, r, http.StatusForbidden, p)
}

// displayHost returns host in the canonical form the proxy uses
// (allowlist.CanonicalHost: lower case, no trailing dot, A-labels), or ""
// when it is not a host name: the page then shows a generic line. Any
// site may link to /blocked?host=…, so the text must not be free ("this
// service is in maintenance, call 08 99 …"). IP literals show the generic
// line too: an agent cannot open them, and "8.99.12.34" reads like a
// phone number.
func displayHost(host string) string {
	c, err := allowlist.CanonicalHost(host)
	if err != nil || allowlist.IsIPLiteral(c) {
		return ""
	}
	return c
}

// lang picks the page language: ?lang= if offered, else the session's,
// else the default.
func (h *Handler) lang(r *http.Request) Language {
	want := r.URL.Query().Get("lang")
	if want == "" && h.conf.Lang != nil {
		want = h.conf.Lang()
	}
	for _, l := range h.langs {
		if l.Code == want {
			return l
		}
	}
	return h.langs[0]
}

// goSite redirects /go?site=NAME to the home page of that site.
func (h *Handler) goSite(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("site")
	for _, s := range h.sites() {
		if s.Name == name && s.Home != "" {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, s.Home, http.StatusSeeOther)
			return
		}
	}
	h.render(w, r, http.StatusNotFound, h.basePage(r, "notfound", "notfound.title"))
}

// sites returns the sites open now: public ones, and supervised ones in a
// supervised session.
func (h *Handler) sites() []*allowlist.Site {
	l := h.conf.Allowlist()
	if l == nil {
		return nil
	}
	s := l.PublicSites()
	if h.conf.Supervised != nil && h.conf.Supervised() {
		s = append(slices.Clip(s), l.SupervisedSites()...)
	}
	return s
}
