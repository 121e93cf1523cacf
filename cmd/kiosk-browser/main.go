//go:build webview && (linux || windows)

// Command kiosk-browser is the kiosk's browser process: one per resident
// session, started by the shell's supervisor (`kiosk shell`, package
// kiosk) with the flags below, in a fresh profile directory that the
// supervisor wipes after it. It is the only cgo program of the project
// (WebKitGTK on Linux, kiosk/browser/webkit; WebView2 on Windows,
// kiosk/browser/webview2) and is built with the webview tag:
//
//	go build -tags webview -o bin/kiosk-browser ./cmd/kiosk-browser
//
// Its exit status tells the supervisor how it ended: 0 the session is over
// (or never started), 3 the web process crashed or hung, 1 it could not
// start, 2 bad flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/communes/kiosk/kiosk"
	"github.com/communes/kiosk/kiosk/browser"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk-browser", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.String("admin", "http://127.0.0.1:8080", "`URL` of the service's local API")
	proxyAddr := fs.String("proxy", "127.0.0.1:3128", "the service's filtering proxy `ADDR` (host:port)")
	token := fs.String("api-token-file", "", "API token `FILE` (required)")
	windowed := fs.Bool("windowed", false, "a normal window instead of fullscreen (for developers)")
	var touch kiosk.TouchMode
	fs.Var(&touch, "touch", "when the on-screen keyboard opens by itself on a text field: `auto`, on, off")
	speech := fs.Bool("speech", false, "read aloud: the toolbar shows \"Écouter\" (the supervisor found espeak-ng)")
	noSandbox := fs.Bool("no-sandbox", false, "run WebKit's web processes without their bubblewrap sandbox (Linux)")
	printer := fs.String("printer", "", "the CUPS queue `NAME` residents print on (Linux; default: printing refused)")
	scanner := fs.String("scanner", "", "the SANE `DEVICE` residents scan with (Linux; default: uploads refused)")
	usb := fs.Bool("usb", false, "offer the documents of a USB key plugged in during the session (Linux, udisks2)")
	clamdSocket := fs.String("clamd-socket", "", "clamd's local `SOCKET`, which scans every file of a USB key (empty: nothing offered)")
	logLevel := fs.String("log-level", "info", "log `LEVEL`: debug, info, warn, error")
	heartbeat := fs.Bool("heartbeat", false, "the supervisor's heartbeat pipes are open (fds 3 and 4; on Windows, "+kiosk.EnvHandles+")")
	outOfOrder := fs.String("out-of-order", "", "show only the out-of-order screen with this `DETAIL`")
	outOfOrderKind := fs.String("out-of-order-kind", "", "why the terminal is out of order, for the screen's sentence: `wipe` (the default), browser (it no longer starts), lockdown (the egress lockdown is missing)")
	retry := fs.Duration("retry", 0, "the out-of-order retry period (default 3s)")
	hungPage := fs.Duration("hung-page", 0, "how long a page may leave the probe unanswered before the session ends as a crash (default 45s)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *token == "" {
		fmt.Fprintln(stderr, "kiosk-browser: started by `kiosk shell`; --api-token-file is required and no argument is taken")
		return 2
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "kiosk-browser: --log-level %q: want debug, info, warn or error\n", *logLevel)
		return 2
	}
	l := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))
	err := runBrowser(&browser.Config{
		Logger: l, AdminURL: *admin, TokenFile: filepath.Clean(*token), ProxyAddr: *proxyAddr,
		Windowed: *windowed, Touch: touch, Speech: *speech, NoSandbox: *noSandbox, OutOfOrder: *outOfOrder, Heartbeat: *heartbeat,
		Printer: *printer, Scanner: *scanner, Retry: *retry, HungPage: *hungPage, USB: *usb, ClamdSocket: *clamdSocket, OutOfOrderKind: *outOfOrderKind,
	})
	switch {
	case err == nil:
		return kiosk.ExitDone
	case errors.Is(err, browser.ErrCrashed):
		return kiosk.ExitCrashed
	default:
		fmt.Fprintf(stderr, "kiosk-browser: %v\n", err)
		return 1
	}
}
