package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/communes/kiosk/proxy"
)

// runServe is `kiosk serve`: it runs until SIGINT or SIGTERM.
func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := serveMain(ctx, args, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "kiosk serve: %v\n", err)
		return 1
	}
}

// errUsage marks a flag error already printed by the flag package.
var errUsage = errors.New("usage error")

// serveMain parses the serve flags from args and runs the service until ctx
// is done. The system service (kiosk service) calls it too.
func serveMain(ctx context.Context, args []string, stderr io.Writer) error {
	fs, c := newServeFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kiosk serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if err := c.validate(); err != nil {
		return err
	}
	l, err := newLogger(stderr, c.LogLevel)
	if err != nil {
		return err
	}
	return serve(ctx, c, l)
}

// newLogger returns the service's logger. Under systemd stderr goes to the journal.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), nil
}

// checkDataDir creates dir if needed and proves it is writable.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// serve runs every part of the service until ctx is done.
func serve(ctx context.Context, c *serveConfig, l *slog.Logger) error {
	if err := checkDataDir(c.DataDir); err != nil {
		return err
	}
	abs, err := filepath.Abs(c.Allowlist)
	if err != nil {
		return fmt.Errorf("allowlist path: %w", err)
	}
	c.Allowlist = abs
	holder := &policyHolder{}
	if err := holder.loadFile(c.Allowlist); err != nil {
		return fmt.Errorf("allowlist %s: %w", c.Allowlist, err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	p, err := proxy.New(&proxy.Config{
		Logger:     l.With("component", "proxy"),
		Allowlist:  holder.Load,
		Upstream:   c.upstream,
		Registerer: reg,
	})
	if err != nil {
		return fmt.Errorf("starting proxy: %w", err)
	}
	defer p.Close()

	proxyLn, err := net.Listen("tcp", c.ProxyListen)
	if err != nil {
		return fmt.Errorf("proxy cannot listen on %s: %w", c.ProxyListen, err)
	}
	defer proxyLn.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4)

	hup := make(chan struct{}, 1)
	go forwardSIGHUP(ctx, hup)
	go func() {
		if err := watchAllowlist(ctx, holder, c.Allowlist, hup, l.With("component", "allowlist")); err != nil {
			errc <- err
		}
	}()

	proxySrv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(l.Handler(), slog.LevelDebug),
	}
	go func() { errc <- fmt.Errorf("proxy server: %w", proxySrv.Serve(proxyLn)) }()

	l.Info("kiosk service started", "version", version, "proxy", proxyLn.Addr().String(),
		"allowlist", c.Allowlist, "sites", len(holder.Load().Sites), "data", c.DataDir)

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	l.Info("kiosk service stopping")
	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shutCancel()
	_ = proxySrv.Shutdown(shutCtx)
	return err
}
