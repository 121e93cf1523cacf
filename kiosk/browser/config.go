package browser

import (
	"log/slog"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// Config is the configuration of one browser process, passed by the
// supervisor (kiosk.Config) as kiosk-browser's flags.
type Config struct {
	// Logger must not be nil.
	Logger *slog.Logger
	// AdminURL, TokenFile and ProxyAddr are as in kiosk.Config (TokenFile
	// resolved).
	AdminURL, TokenFile, ProxyAddr string
	// Windowed shows a normal window.
	Windowed bool
	// Touch is when the on-screen keyboard opens by itself on a text
	// field (kiosk.Config.Touch).
	Touch kiosk.TouchMode
	// Speech turns read-aloud on ("Écouter", espeak-ng; speak.go): the
	// supervisor found espeak-ng and --audio is on.
	Speech bool
	// NoSandbox is as in kiosk.Config.
	NoSandbox bool
	// Printer is as in kiosk.Config.
	Printer string
	// Scanner is as in kiosk.Config.
	Scanner string
	// HungPage is as in kiosk.Config (zero: hungPage).
	HungPage time.Duration
	// USB and ClamdSocket are as in kiosk.Config.
	USB         bool
	ClamdSocket string
	// OutOfOrder, when not empty, shows only the built-in "Terminal
	// momentanément indisponible" screen with this technical detail, loads
	// nothing from the network and never starts a session.
	OutOfOrder string
	// OutOfOrderKind says why, for the screen's sentence: "" or
	// "wipe" (the last session's data could not be erased), "browser"
	// (the browser no longer starts), "lockdown" (the egress lockdown is
	// missing).
	OutOfOrderKind string
	// Retry is the out-of-order retry period. If zero, 3 s.
	Retry time.Duration
	// Heartbeat says that the supervisor's pipes are open (fds 3 and 4 on
	// Linux, kiosk.EnvHandles on Windows).
	Heartbeat bool
}
