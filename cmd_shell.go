package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// runShell is `kiosk shell`: the fullscreen kiosk browser's supervisor
// (package kiosk, pure Go). It starts one kiosk-browser process per
// resident session (cmd/kiosk-browser, the only cgo program).
func runShell(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk shell", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.String("admin", "http://127.0.0.1:8080", "`URL` of the service's local API")
	proxyAddr := fs.String("proxy", "127.0.0.1:3128", "the service's filtering proxy `ADDR` (host:port)")
	data := fs.String("data", defaultDataDir, "the service's data `DIR`; session profiles go in DIR/profiles")
	token := fs.String("api-token-file", "", "API token `FILE` (default DIR/api.token)")
	windowed := fs.Bool("windowed", false, "a normal window instead of fullscreen (for developers)")
	var touch kiosk.TouchMode
	fs.Var(&touch, "touch", "a touch screen: the on-screen keyboard opens by itself when a text field gets the focus; `auto` (the default) does so where no physical keyboard is found, off never")
	var audio kiosk.AudioMode
	fs.Var(&audio, "audio", "read-aloud: `on` (the default, where espeak-ng is found) shows \"Écouter\" in the toolbar; off hides it (a terminal without speakers)")
	noSandbox := fs.Bool("no-sandbox", false, "run WebKit's web processes without their bubblewrap sandbox (Linux; only where bwrap cannot run)")
	printer := fs.String("printer", "", "the CUPS queue `NAME` residents print on, without a dialog (Linux; default: printing refused)")
	scanner := fs.String("scanner", "", "the SANE `DEVICE` (scanimage -L) residents scan the documents they attach with (Linux; default: uploads refused)")
	usb := fs.Bool("usb", false, "offer the documents of a USB key plugged in during a session, mounted read-only by udisks2 and scanned by clamd (Linux; default off)")
	clamdSocket := fs.String("clamd-socket", "/run/clamav/clamd.ctl", "clamd's local `SOCKET` (--usb: no verdict, nothing offered)")
	hungPage := fs.Duration("hung-page", 45*time.Second, "how long a frozen page (no answer to the browser's probe; its toolbar is frozen too) may stay before the session ends as a crash and a new one starts")
	printGrace := fs.Duration("print-grace", 2*time.Minute, "how long a session's jobs left in the printer's queue may still print before they are cancelled")
	egress := fs.Bool("require-egress-lockdown", false, "refuse every session (out-of-order screen) while the egress lockdown, nftables table "+kiosk.EgressTable+", is not in force for this user (Linux; the package turns it on; off for developers)")
	logLevel := fs.String("log-level", "info", "log `LEVEL`: debug, info, warn, error")
	browserPath := fs.String("browser-path", "", "the browser `PROGRAM` started for each session (default: kiosk-browser next to this executable, else "+kiosk.DefaultBrowserPath+")")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if err := kiosk.CheckDevices(*printer, *printGrace, *scanner); err != nil {
		fmt.Fprintf(stderr, "kiosk shell: %v\n", err)
		return 2
	}
	if *usb && runtime.GOOS != "linux" {
		fmt.Fprintln(stderr, "kiosk shell: --usb: USB keys are only available on Linux (udisks2)")
		return 2
	}
	l, err := newLogger(stderr, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk shell: %v\n", err)
		return 2
	}
	if *token == "" {
		*token = *data + string(os.PathSeparator) + "api.token"
	}
	if *browserPath == "" {
		if *browserPath, err = kiosk.BrowserPath(); err != nil {
			fmt.Fprintf(stderr, "kiosk shell: %v\n", err)
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = kiosk.Run(ctx, &kiosk.Config{
		Logger: l, AdminURL: *admin, TokenFile: *token, ProxyAddr: *proxyAddr,
		DataDir: *data, Windowed: *windowed, Touch: touch, Audio: audio, NoSandbox: *noSandbox, Version: version, LogLevel: *logLevel,
		Printer: *printer, PrintGrace: *printGrace, HungPage: *hungPage, Scanner: *scanner, Browser: *browserPath, RequireEgressLockdown: *egress,
		USB: *usb, ClamdSocket: *clamdSocket,
	})
	if err != nil {
		fmt.Fprintf(stderr, "kiosk shell: %v\n", err)
		return 1
	}
	return 0
}
