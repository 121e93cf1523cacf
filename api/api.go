// Package api is the local HTTP API between the kiosk service and the
// shell: session actions, agent PINs typed on the kiosk's keypad, the state
// (with long poll) and the settings.
// docs/api.md is its contract.
//
// Every route needs the per-boot bearer token that New writes to
// Config.TokenFile, and a loopback client. The package imports no project
// package: it drives the session controller through the Controller
// interface and function fields that main fills in. PINs are passed on
// to the controller and never logged.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
)

// Controller is what the API needs of the session controller
// (*session.Controller implements it).
type Controller interface {
	Start(lang string, supervised bool) error
	Activity()
	Continue() error
	End(reason string) error
	Satisfaction(answer string) error
	Wiped(ok bool, msg string) error
	Help()
	// Printed counts a print job of the open session; it fails with a
	// wrong_state error outside a session.
	Printed() error
	ShellHello(version string)
	ShellCrash()
	// Unlock checks an agent's PIN and opens a supervised session.
	Unlock(pin, lang string) error
	// Cancel leaves the unlock state (keypad) for welcome.
	Cancel() error
	// OverrideHost checks an agent's PIN and opens the canonical host
	// for the rest of the session.
	OverrideHost(pin, host string) error
}

// DefaultPortalURL is the base URL of the portal pages (the proxy's
// internal host).
const DefaultPortalURL = "http://kiosk.invalid/"

// Config is the configuration of a Handler.
type Config struct {
	// Logger receives the messages. If nil, slog.Default() is used.
	Logger *slog.Logger
	// Controller gets the session actions. It must not be nil.
	Controller Controller
	// State returns the state object (JSON-encodable) once its version
	// differs from since, or when ctx is done; since 0 returns at once.
	// With session: func(ctx, v) any { return ctl.Wait(ctx, v) }.
	// It must not be nil.
	State func(ctx context.Context, since uint64) any
	// Settings returns the session settings (a JSON object). With session:
	// func() any { return ctl.Settings() }. It must not be nil.
	Settings func() any
	// Allowlist returns the allowlist file in force and its bytes. If nil,
	// the config has empty allowlist fields.
	Allowlist func() (file string, yaml []byte)
	// Printer receives the shell's printer reports (POST
	// /api/shell/printer). If nil, the reports are accepted and dropped.
	Printer func(PrinterReport)
	// Browser receives the shell's reports of failed browser starts (POST
	// /api/shell/browser); its error is answered as a session action's.
	// If nil, the reports are accepted and dropped.
	Browser func(BrowserReport) error
	// Threat counts a file of a resident's USB key that the antivirus
	// refused, by its signature name only (POST /api/shell/threat); an
	// error answers 400. If nil, the reports are accepted and dropped.
	Threat func(signature string) error
	// TokenFile is where New writes the per-boot token. It must not be
	// empty; its directory must exist.
	TokenFile string
	// PortalURL is sent to the shell in the config. If empty,
	// DefaultPortalURL is used.
	PortalURL string
}

// Handler serves the API under /api/. It's safe for concurrent use.
type Handler struct {
	conf  Config
	log   *slog.Logger
	token string
}

// New writes a fresh token to conf.TokenFile and returns the handler.
func New(conf *Config) (*Handler, error) {
	c := *conf
	switch {
	case c.Controller == nil, c.State == nil, c.Settings == nil:
		return nil, errors.New("api config: Controller, State and Settings must not be nil")
	case c.TokenFile == "":
		return nil, errors.New("api config: TokenFile must not be empty")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PortalURL == "" {
		c.PortalURL = DefaultPortalURL
	}
	tok, err := newToken()
	if err != nil {
		return nil, err
	}
	if err := writeTokenFile(c.TokenFile, tok); err != nil {
		return nil, err
	}
	return &Handler{conf: c, log: c.Logger.With("component", "api"), token: tok}, nil
}

// Close removes the token file, so that a stopped service leaves no valid
// token behind.
func (h *Handler) Close() error {
	if err := os.Remove(h.conf.TokenFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// route is one API route.
type route struct {
	method string
	serve  func(h *Handler, w http.ResponseWriter, r *http.Request)
}

// routes maps paths to handlers (one method each).
var routes = map[string]route{
	"/api/config":               {http.MethodGet, (*Handler).config},
	"/api/state":                {http.MethodGet, (*Handler).state},
	"/api/session/start":        {http.MethodPost, (*Handler).start},
	"/api/session/activity":     {http.MethodPost, (*Handler).activity},
	"/api/session/continue":     {http.MethodPost, (*Handler).cont},
	"/api/session/end":          {http.MethodPost, (*Handler).end},
	"/api/session/satisfaction": {http.MethodPost, (*Handler).satisfaction},
	"/api/session/wiped":        {http.MethodPost, (*Handler).wiped},
	"/api/session/unlock":       {http.MethodPost, (*Handler).unlock},
	"/api/session/cancel":       {http.MethodPost, (*Handler).cancel},
	"/api/session/printed":      {http.MethodPost, (*Handler).printed},
	"/api/override":             {http.MethodPost, (*Handler).override},
	"/api/help":                 {http.MethodPost, (*Handler).help},
	"/api/shell/hello":          {http.MethodPost, (*Handler).hello},
	"/api/shell/crash":          {http.MethodPost, (*Handler).crash},
	"/api/shell/printer":        {http.MethodPost, (*Handler).printer},
	"/api/shell/browser":        {http.MethodPost, (*Handler).browser},
	"/api/shell/threat":         {http.MethodPost, (*Handler).threat},
}

// ServeHTTP implements http.Handler: loopback clients with the token only.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !loopback(r.RemoteAddr) {
		writeError(w, http.StatusForbidden, "forbidden", "the local API answers loopback clients only")
		return
	}
	if !h.authorized(r) {
		h.log.Info("api request without a valid token", "path", r.URL.Path)
		w.Header().Set("WWW-Authenticate", `Bearer realm="kiosk"`)
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong bearer token")
		return
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no such route: "+r.URL.Path)
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" not allowed, use "+rt.method)
		return
	}
	rt.serve(h, w, r)
}

// loopback reports whether addr ("ip:port") is a loopback address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
