package kiosk

import (
	"log/slog"
	"path/filepath"
	"time"
)

// PortalURL is the service's internal host, served through the proxy.
const PortalURL = "http://kiosk.invalid/"

// PortalHost is the host of PortalURL.
const PortalHost = "kiosk.invalid"

// Config is the configuration of `kiosk shell`: the supervisor and the
// browser processes it starts (their flags, browserFlags).
type Config struct {
	// Logger receives the shell's logs. It must not be nil.
	Logger *slog.Logger
	// AdminURL is the base URL of the service's local API, such as
	// "http://127.0.0.1:8080". It must not be empty.
	AdminURL string
	// TokenFile holds the API bearer token. If empty, DataDir/api.token.
	TokenFile string
	// ProxyAddr is the filtering proxy, host:port. It must not be empty.
	ProxyAddr string
	// DataDir is the service's data directory. Session profiles are made in
	// DataDir/profiles, which must be writable by the shell's user.
	DataDir string
	// Windowed shows a normal window instead of the fullscreen kiosk (for
	// developers).
	Windowed bool
	// Touch says when the on-screen keyboard opens by itself on a text
	// field: on a touch screen (TouchOn), where no physical keyboard is
	// found (TouchAuto, the default ""), never (TouchOff).
	Touch TouchMode
	// Audio says whether "Écouter" reads aloud (AudioOn, the default "",
	// where espeak-ng is found; AudioOff hides it).
	Audio AudioMode
	// NoSandbox runs WebKit's web processes without their bubblewrap
	// sandbox (Linux), for a system where bwrap cannot run. Off by default.
	NoSandbox bool
	// LogLevel is passed to the browser processes (--log-level). If empty,
	// they log at info.
	LogLevel string
	// Version is sent to the service with shell/hello.
	Version string
	// Browser is the browser program (kiosk-browser), started with
	// BrowserArgs then the browser flags. If empty, BrowserPath finds it.
	Browser string
	// BrowserArgs come before the browser flags (tests). Usually nil.
	BrowserArgs []string
	// Ping is the heartbeat period. If zero, 1 s.
	Ping time.Duration
	// HangAfter kills a browser process that has not answered the heartbeat
	// for this long. If zero, 10 s: the browser's main loop answers within
	// milliseconds on a PC, but a slow one (an old Celeron, a virtual PC
	// without KVM) stalls for seconds while it lays out a page, and killing
	// it then ends the resident's session.
	HangAfter time.Duration
	// StartGrace is how long a new browser process may take to answer its
	// first heartbeat (GTK, WebKit and its sandboxed processes starting).
	// If zero, 60 s: a PC answers within 2 s; a virtual PC without KVM
	// took 10 to 30 s, and a start killed too early never succeeds.
	StartGrace time.Duration
	// HungPage is how long a page may leave the browser's probe script
	// unanswered (an endless loop freezes the toolbar too) before the
	// session ends as a crash. If zero, the browser's default (45 s).
	HungPage time.Duration
	// Retry is the out-of-order retry period. If zero, 3 s.
	Retry time.Duration
	// Printer is the CUPS queue on which residents print, with no dialog
	// (Linux). If empty, printing is refused.
	Printer string
	// Scanner is the SANE device (scanimage -L) on which residents scan
	// the documents they attach to a form (Linux). If empty, file uploads
	// are refused.
	Scanner string
	// USB offers the documents of a USB key plugged in during a session
	// in the same panel as scans (Linux: udisks2 mounts it read-only,
	// kiosk/usbkey). Off by default.
	USB bool
	// ClamdSocket is clamd's local socket, which scans every file of a
	// USB key before it is offered. If empty, nothing is offered.
	ClamdSocket string
	// PrintGrace is how long the jobs a session left in the printer's
	// queue may still print after the session; then they are cancelled.
	// If zero, 2 min.
	PrintGrace time.Duration
	// Bwrap is the bubblewrap program that WebKit's sandbox runs, tried
	// once before the first browser process (Linux, sandbox on). If
	// empty, "bwrap" in PATH.
	Bwrap string
	// ReadyGrace is how long a new browser process may take to show a
	// screen (the welcome, or the out-of-order one); one that shows none
	// by then is killed, and counts as a failed start (MaxStartFailures).
	// If zero, 2 min (StartGrace, then the welcome page on a slow PC).
	ReadyGrace time.Duration
	// MaxRetry caps the delay between two starts once the browser failed
	// to start MaxStartFailures times in a row. If zero, 5 min.
	MaxRetry time.Duration
	// RequireEgressLockdown refuses every session, showing the out-of-order
	// screen, while the egress lockdown (the nftables table inet kiosk of
	// kiosk-nftables.service) is not in force for the shell's user
	// (Linux). Off by default, for developers' machines; the Debian
	// package turns it on (kiosk-shell.service).
	RequireEgressLockdown bool
	// EgressProbe checks the egress lockdown (tests). If nil, a datagram
	// that the lockdown refuses is sent (egress_linux.go).
	EgressProbe func() error
}

// profilesDir returns the parent of the session profiles.
func (c *Config) profilesDir() string { return filepath.Join(c.DataDir, "profiles") }

// tokenFile returns the token file path.
func (c *Config) tokenFile() string {
	if c.TokenFile != "" {
		return c.TokenFile
	}
	return filepath.Join(c.DataDir, "api.token")
}

func (c *Config) ping() time.Duration       { return orDefault(c.Ping, time.Second) }
func (c *Config) hangAfter() time.Duration  { return orDefault(c.HangAfter, 10*time.Second) }
func (c *Config) startGrace() time.Duration { return orDefault(c.StartGrace, time.Minute) }
func (c *Config) retry() time.Duration      { return orDefault(c.Retry, 3*time.Second) }
func (c *Config) printGrace() time.Duration {
	return orDefault(c.PrintGrace, 2*time.Minute)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
