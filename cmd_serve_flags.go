package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/proxy"
	"github.com/communes/kiosk/service"
	"github.com/communes/kiosk/session"
)

// serveFlags holds the flags of `kiosk serve`. The same flags are stored
// in the service unit by `kiosk service install`. config turns them into
// the service's Config.
type serveFlags struct {
	Allowlist      string
	ProxyListen    string
	AdminListen    string
	DataDir        string
	UpstreamProxy  string
	AdminTLSCert   string
	AdminTLSKey    string
	AdminHosts     string
	RetentionDays  int
	LogLevel       string
	Mode           string
	IdleTimeout    time.Duration
	IdleCountdown  time.Duration
	MaxSession     time.Duration
	MaxSupervised  time.Duration
	Warning        time.Duration
	AllowlistURL   string
	AllowlistKey   string
	AllowlistEvery time.Duration
	AllowlistName  string
	Languages      string
	WelcomeText    map[string]string
	Satisfaction   time.Duration
	Procs          int
	ProxyMaxConns  int
	ProxyBodyIdle  time.Duration
	TerminalName   string
	Maintenance    string

	upstream *url.URL           // set by validate
	window   maintenance.Window // set by validate
}

// newServeFlags returns the flag set of `kiosk serve` bound to a new config.
func newServeFlags(stderr io.Writer) (*flag.FlagSet, *serveFlags) {
	c := &serveFlags{}
	fs := flag.NewFlagSet("kiosk serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Allowlist, "allowlist", defaultAllowlist, "allowlist `FILE` (re-read on change and on SIGHUP)")
	fs.StringVar(&c.ProxyListen, "proxy-listen", "127.0.0.1:3128", "filtering proxy listen `ADDR`")
	fs.StringVar(&c.AdminListen, "admin-listen", "127.0.0.1:8080", "admin page and local API listen `ADDR` (TLS when not loopback)")
	fs.StringVar(&c.DataDir, "data", defaultDataDir, "data `DIR` (usage store, credentials, session profiles)")
	fs.StringVar(&c.UpstreamProxy, "upstream-proxy", "", "optional institutional proxy `URL` (http://host:port) for plain requests and CONNECT")
	fs.StringVar(&c.AdminTLSCert, "admin-tls-cert", "", "TLS certificate `FILE` for a non-loopback --admin-listen")
	fs.StringVar(&c.AdminTLSKey, "admin-tls-key", "", "TLS key `FILE` for a non-loopback --admin-listen")
	fs.StringVar(&c.AdminHosts, "admin-host", "", "comma-separated `NAMES` the admin page is also reached by, besides the --admin-listen host and its certificate's names (other Host headers get 421); needs a non-loopback --admin-listen")
	fs.IntVar(&c.RetentionDays, "retention-days", 400, "keep usage counts this many `DAYS`")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log `LEVEL`: debug, info, warn, error")
	fs.StringVar(&c.Mode, "mode", "self-service", "session `MODE`: self-service, supervised-only or mixed")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", 3*time.Minute, "end an idle session after this `DURATION` (plus the countdown)")
	fs.DurationVar(&c.IdleCountdown, "idle-countdown", 30*time.Second, "full-screen countdown `DURATION` before an idle session ends")
	fs.DurationVar(&c.MaxSession, "max-session", 45*time.Minute, "maximum session `DURATION`")
	fs.DurationVar(&c.MaxSupervised, "max-supervised", 90*time.Minute, "maximum `DURATION` of an agent-supervised session")
	fs.DurationVar(&c.Warning, "time-warning", 5*time.Minute, "warn this `DURATION` before the session's time limit")
	fs.StringVar(&c.AllowlistURL, "allowlist-url", "", "fetch the allowlist from this HTTPS `URL` (needs --allowlist-pubkey)")
	fs.StringVar(&c.AllowlistKey, "allowlist-pubkey", "", "minisign public `KEY` that signs the --allowlist-url file")
	fs.DurationVar(&c.AllowlistEvery, "allowlist-interval", 15*time.Minute, "how often to fetch --allowlist-url")
	fs.StringVar(&c.AllowlistName, "allowlist-name", "", "file `NAME` the --allowlist-url signature must be made for (its trusted comment's file:); default: the URL's last path element")
	fs.StringVar(&c.Languages, "languages", "fr,en,ar,es,pt,ru,tr", "comma-separated `CODES` offered on the welcome screen, the first is the default")
	c.WelcomeText = map[string]string{}
	fs.Var(welcomeTextFlag(c.WelcomeText), "welcome-text", "`LANG=TEXT` shown on the welcome screen (repeat for each language), e.g. \"fr=Bienvenue à la mairie de Trifouillis\"")
	fs.DurationVar(&c.Satisfaction, "satisfaction-time", 15*time.Second, "how long the end-of-session question stays (`DURATION`)")
	fs.IntVar(&c.Procs, "procs", defaultProcs(), "`N` threads running the service's Go code at once (GOMAXPROCS); 0 = one per CPU")
	fs.IntVar(&c.ProxyMaxConns, "proxy-max-conns", proxy.DefaultMaxConns, "at most `N` open client connections on the proxy port (a new one closes the one idle the longest, else waits); 0 = no cap")
	fs.DurationVar(&c.ProxyBodyIdle, "proxy-body-timeout", proxy.DefaultBodyIdleTimeout, "cut a request body that sends nothing for this `DURATION`; 0 = never")
	fs.StringVar(&c.TerminalName, "terminal-name", defaultTerminalName(), "the terminal's `NAME` on the admin page, in reports and on /metrics; the default is $KIOSK_TERMINAL_NAME, else the host name")
	fs.StringVar(&c.Maintenance, "maintenance-window", "off", "daily `HH:MM-HH:MM` (local time, may cross midnight) when the terminal may restart or reboot after an update, only with nobody at it; off = never (the package sets 22:00-06:00)")
	return fs, c
}

// defaultProcs is the default of --procs: 1, unless the GOMAXPROCS
// environment variable is set, which then decides (0 leaves it alone).
//
// One thread is the fastest setting measured for this service (one
// browser's traffic; docs/benchmarks.md): with more, Go's scheduler hands
// the processor to another thread whenever a socket call lasts over 20 µs
// and keeps waking its monitor thread, CPU that the browser and the rest
// of the machine then lack.
func defaultProcs() int {
	if os.Getenv("GOMAXPROCS") != "" {
		return 0
	}
	return 1
}

// welcomeTextFlag collects repeated --welcome-text LANG=TEXT flags.
type welcomeTextFlag map[string]string

func (f welcomeTextFlag) String() string { return "" }

func (f welcomeTextFlag) Set(v string) error {
	lang, text, ok := strings.Cut(v, "=")
	if !ok || lang == "" || text == "" {
		return fmt.Errorf("want LANG=TEXT, got %q", v)
	}
	f[lang] = text
	return nil
}

// adminHostList returns the --admin-host names.
func (c *serveFlags) adminHostList() []string {
	var out []string
	for _, h := range strings.Split(c.AdminHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// languageList returns the --languages codes.
func (c *serveFlags) languageList() []string {
	var out []string
	for _, l := range strings.Split(c.Languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// validate checks the flags that need more than their type.
func (c *serveFlags) validate() error {
	if c.UpstreamProxy != "" {
		u, err := url.Parse(c.UpstreamProxy)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("--upstream-proxy %q: want http://host:port or https://host:port", c.UpstreamProxy)
		}
		c.upstream = u
	}
	// WCAG 2.2.1 (timing adjustable): warned that time is running out, the
	// resident gets at least 20 seconds to keep the session with one touch.
	if c.IdleCountdown < 20*time.Second {
		return fmt.Errorf("--idle-countdown %v: want at least 20s, the time a resident needs to touch \"Continuer\" (WCAG 2.2.1)", c.IdleCountdown)
	}
	switch c.Mode {
	case "self-service", "supervised-only", "mixed":
	default:
		return fmt.Errorf("--mode %q: want self-service, supervised-only or mixed", c.Mode)
	}
	if c.RetentionDays < 1 {
		return fmt.Errorf("--retention-days %d: must be at least 1", c.RetentionDays)
	}
	if (c.AllowlistURL == "") != (c.AllowlistKey == "") {
		return fmt.Errorf("--allowlist-url and --allowlist-pubkey go together")
	}
	if c.AllowlistName != "" && c.AllowlistURL == "" {
		return fmt.Errorf("--allowlist-name needs --allowlist-url")
	}
	if c.ProxyMaxConns < 0 {
		return fmt.Errorf("--proxy-max-conns %d: want 0 (no cap) or more", c.ProxyMaxConns)
	}
	if c.ProxyBodyIdle < 0 {
		return fmt.Errorf("--proxy-body-timeout %v: want 0 (never) or more", c.ProxyBodyIdle)
	}
	if c.Procs < 0 {
		return fmt.Errorf("--procs %d: want 0 (one per CPU) or more", c.Procs)
	}
	if (c.AdminTLSCert == "") != (c.AdminTLSKey == "") {
		return fmt.Errorf("--admin-tls-cert and --admin-tls-key go together")
	}
	if c.AdminHosts != "" && admin.IsLoopbackAddr(c.AdminListen) {
		return fmt.Errorf("--admin-host needs a non-loopback --admin-listen: on loopback only localhost, 127.0.0.1 and [::1] reach the admin page")
	}
	if err := checkTerminalName(c.TerminalName); err != nil {
		return err
	}
	w, err := maintenance.ParseWindow(c.Maintenance)
	if err != nil {
		return fmt.Errorf("--maintenance-window: %w", err)
	}
	c.window = w
	return nil
}

// config returns the service's Config for the validated flags, logging to l.
func (c *serveFlags) config(l *slog.Logger) *service.Config {
	return &service.Config{
		Logger:       l,
		Version:      version,
		TerminalName: c.TerminalName,
		DataDir:      c.DataDir,

		Allowlist:      c.Allowlist,
		AllowlistURL:   c.AllowlistURL,
		AllowlistKey:   c.AllowlistKey,
		AllowlistName:  c.AllowlistName,
		AllowlistEvery: c.AllowlistEvery,

		ProxyListen:   c.ProxyListen,
		Upstream:      c.upstream,
		ProxyMaxConns: orOff(c.ProxyMaxConns),
		ProxyBodyIdle: orOff(c.ProxyBodyIdle),

		AdminListen:  c.AdminListen,
		AdminTLSCert: c.AdminTLSCert,
		AdminTLSKey:  c.AdminTLSKey,
		AdminHosts:   c.adminHostList(),

		RetentionDays: c.RetentionDays,

		Mode:          session.Mode(c.Mode),
		IdleTimeout:   c.IdleTimeout,
		IdleCountdown: c.IdleCountdown,
		MaxSession:    c.MaxSession,
		MaxSupervised: c.MaxSupervised,
		Warning:       c.Warning,
		Satisfaction:  c.Satisfaction,
		Languages:     c.languageList(),
		WelcomeText:   c.WelcomeText,

		MaintenanceWindow: c.window,
	}
}

// orOff maps a flag's 0 ("off") to the -1 that service.Config takes for off
// (its 0 means the default).
func orOff[T int | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// maxTerminalName bounds --terminal-name (a label on every report and alert).
const maxTerminalName = 64

// terminalNameEnv is the environment variable that gives the default of
// --terminal-name: the package's /etc/default/kiosk sets it, since
// systemd splits $KIOSK_ARGS at spaces and a name often has some.
const terminalNameEnv = "KIOSK_TERMINAL_NAME"

// defaultTerminalName is the default of --terminal-name: $KIOSK_TERMINAL_NAME,
// else the host name.
func defaultTerminalName() string {
	if n := os.Getenv(terminalNameEnv); n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "kiosk"
}

// checkTerminalName refuses an empty, overlong or unprintable name.
func checkTerminalName(name string) error {
	if strings.TrimSpace(name) == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxTerminalName ||
		strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return fmt.Errorf("--terminal-name %q: want 1 to %d printable characters", name, maxTerminalName)
	}
	return nil
}
