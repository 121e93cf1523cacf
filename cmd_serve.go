package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sync/errgroup"

	"github.com/communes/kiosk/service"
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
	case errors.Is(err, service.ErrRestart):
		// Restart=always starts the new binaries; the shell follows.
		fmt.Fprintf(stderr, "kiosk serve: %v\n", err)
		return exitRestart
	default:
		fmt.Fprintf(stderr, "kiosk serve: %v\n", err)
		return 1
	}
}

// exitRestart is the exit code of a restart after an update (EX_TEMPFAIL).
const exitRestart = 75

// errUsage marks a flag error already printed by the flag package.
var errUsage = errors.New("usage error")

// serveMain parses the serve flags from args and runs the service until ctx
// is done, logging to stderr.
func serveMain(ctx context.Context, args []string, stderr io.Writer) error {
	fs, f := newServeFlags(stderr)
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
	if err := f.validate(); err != nil {
		return err
	}
	return serveWith(ctx, f, stderr)
}

// serveWith runs the service of the validated flags f until ctx is done,
// logging to w. `kiosk serve` and the system service (kiosk service run)
// both end here.
func serveWith(ctx context.Context, f *serveFlags, w io.Writer) error {
	l, err := newLogger(w, f.LogLevel)
	if err != nil {
		return err
	}
	if f.Procs > 0 {
		runtime.GOMAXPROCS(f.Procs)
	}
	s, err := service.New(f.config(l))
	if err != nil {
		return err
	}
	return runUntilDone(ctx, s)
}

// runUntilDone runs s until ctx is done, reloading its allowlist on each
// SIGHUP. Both goroutines end before it returns.
func runUntilDone(ctx context.Context, s *service.Service) error {
	g, ctx := errgroup.WithContext(ctx)
	ctx, stop := context.WithCancel(ctx)
	g.Go(func() error {
		defer stop() // Run ended on its own (a part failed): stop forwarding too.
		return s.Run(ctx)
	})
	g.Go(func() error {
		forwardSIGHUP(ctx, s.Reload)
		return nil
	})
	return g.Wait()
}

// newLogger returns the service's logger. Under systemd stderr goes to the journal.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), nil
}
