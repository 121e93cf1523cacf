package service

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/session"
)

// Config is the service's configuration. `kiosk serve` builds it from its
// flags (the command's files name each flag). A zero field takes the
// default named in its comment; the required fields are marked so, and New
// refuses a Config without them.
type Config struct {
	// Logger receives the service's log. Nil discards it.
	Logger *slog.Logger
	// Version is the kiosk version, in the log and on /metrics. Empty: "dev".
	Version string
	// TerminalName names the terminal on the admin page, in reports and on
	// /metrics. Required.
	TerminalName string

	// DataDir holds the usage store (usage.db), the local API's token
	// (api.token), the admin credentials, the agent accounts, the admin
	// page's self-signed certificate and the last good remote allowlist.
	// Required; it is created (0750) when missing and must be writable.
	DataDir string

	// Allowlist is the allowlist file, re-read when it changes and on
	// Reload. A relative path is made absolute. Required unless
	// AllowlistURL is set, and then ignored.
	Allowlist string
	// AllowlistURL, when set, is the HTTPS address of a signed allowlist
	// fetched every AllowlistEvery (zero: remote's default) and verified
	// with the minisign public key AllowlistKey (required with it). Its
	// signature must be made for the file name AllowlistName (empty: the
	// URL's last path element).
	AllowlistURL   string
	AllowlistKey   string
	AllowlistName  string
	AllowlistEvery time.Duration

	// ProxyListen is the filtering proxy's address ("127.0.0.1:3128";
	// port 0 picks one, see ProxyAddr). Required.
	ProxyListen string
	// Upstream is the institutional proxy that plain requests and CONNECT
	// go through. Nil: straight to the sites.
	Upstream *url.URL
	// ProxyMaxConns caps the proxy's open client connections, as
	// proxy.Config.MaxConns: zero is proxy.DefaultMaxConns, -1 no cap.
	ProxyMaxConns int
	// ProxyBodyIdle cuts a request body that sends nothing for that long, as
	// proxy.Config.BodyIdleTimeout: zero is proxy.DefaultBodyIdleTimeout,
	// -1 never.
	ProxyBodyIdle time.Duration

	// AdminListen is the address of the admin page and the local API
	// ("127.0.0.1:8080"; port 0 picks one, see AdminAddr). Required. Off
	// loopback the page uses TLS: AdminTLSCert and AdminTLSKey (both or
	// neither), else a self-signed certificate kept in DataDir.
	AdminListen  string
	AdminTLSCert string
	AdminTLSKey  string
	// AdminHosts are more names the admin page is reached by, besides
	// AdminListen's host and the certificate's names. Nil: none.
	AdminHosts []string

	// RetentionDays is how long usage counts are kept. Zero:
	// usage.DefaultRetentionDays.
	RetentionDays int

	// Mode is the session mode. Empty: session.SelfService.
	Mode session.Mode
	// IdleTimeout, IdleCountdown, MaxSession, MaxSupervised, Warning and
	// Satisfaction are the session's timings, as in session.Config. Zero
	// takes session's default for each.
	IdleTimeout   time.Duration
	IdleCountdown time.Duration
	MaxSession    time.Duration
	MaxSupervised time.Duration
	Warning       time.Duration
	Satisfaction  time.Duration
	// Languages are the codes offered on the welcome screen, the first
	// being the default. Nil: the portal's seven languages, French first.
	Languages []string
	// WelcomeText is the welcome screen's text by language code. Nil: the
	// portal's own text.
	WelcomeText map[string]string

	// MaintenanceWindow is when the terminal may restart or reboot after
	// an update, with nobody at it (package maintenance). Zero: never; a
	// pending reboot waits and is reported overdue after 7 days.
	MaintenanceWindow maintenance.Window
	// RebootRequired is the file that asks for a reboot. Empty:
	// maintenance.DefaultRebootRequired (/run/reboot-required).
	RebootRequired string
	// WatchBinaries are the binaries (the service's, the browser's) whose
	// change on disk asks for a restart. Nil: the running executable and
	// the kiosk-browser next to it.
	WatchBinaries []string
	// Reboot reboots the machine. Nil: maintenance.LogindReboot.
	Reboot func(ctx context.Context) error
	// UnattendedLog is unattended-upgrades' log, read for the admin
	// page. Empty: maintenance.DefaultUnattendedLog.
	UnattendedLog string
	// AptHistory is apt's history, read to name the update after which
	// the browser no longer starts. Empty: maintenance.DefaultAptHistory.
	AptHistory string
	// MaintenanceEvery is the time between maintenance checks. Zero:
	// maintenance.DefaultInterval (30 s).
	MaintenanceEvery time.Duration
}
