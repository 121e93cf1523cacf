package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"time"
)

// supervisor runs browser processes one after another, one per resident
// session, and wipes each one's profile before the next starts.
type supervisor struct {
	conf  *Config
	l     *slog.Logger
	api   *APIClient
	hello bool // shell/hello was accepted
	// prints is the printer's queue, nil when nothing prints.
	prints *printQueue
	// starts counts the browser starts in a row that failed (startfail.go).
	starts startFailures
	// speech: the browser processes read aloud (--audio on and espeak-ng
	// found, speechOn).
	speech bool
}

// runSupervisor runs the shell until ctx is done.
func runSupervisor(ctx context.Context, conf *Config) error {
	if conf.Logger == nil || conf.AdminURL == "" || conf.ProxyAddr == "" || conf.DataDir == "" {
		return errors.New("kiosk shell: Logger, AdminURL, ProxyAddr and DataDir are required")
	}
	s := &supervisor{
		conf: conf,
		l:    conf.Logger.With("component", "shell"),
		api:  NewAPIClient(conf.AdminURL, conf.tokenFile()),
	}
	// A profile left by an earlier run (power cut, killed shell) is wiped
	// before anyone sits down.
	if err := wipeLeftovers(conf.profilesDir()); err != nil {
		s.l.Error("wiping leftover profiles", "err", err)
		if err := s.outOfOrder(ctx, err, func() error { return wipeLeftovers(conf.profilesDir()) }); err != nil {
			return err
		}
	}
	// Without a working sandbox, no web content is shown: the terminal is
	// out of order until bubblewrap runs (or IT chooses --no-sandbox).
	if err := checkSandbox(conf); err != nil {
		s.l.Error("the web processes' sandbox cannot start: terminal out of order (kiosk shell --no-sandbox turns it off)", "err", err)
		if err := s.outOfOrder(ctx, err, func() error { return checkSandbox(conf) }); err != nil {
			return err
		}
	}
	s.prints = newPrintQueue(conf, s.l)
	if s.prints != nil {
		s.prints.report = s.printerReport
		if err := checkPrintTools(); err != nil {
			s.l.Error("printing configured without CUPS's tools: terminal out of order", "err", err)
			if err := s.outOfOrder(ctx, err, checkPrintTools); err != nil {
				return err
			}
		}
		// Jobs left by an earlier run (power cut, killed shell) are not
		// printed for whoever sits down now.
		if err := s.prints.clearAll(ctx); err != nil {
			s.l.Warn("print queue not cleared at start", "printer", conf.Printer, "err", err)
		}
		defer s.prints.wait()
	}
	if conf.Scanner != "" {
		if _, err := exec.LookPath("scanimage"); err != nil {
			// Not a reason to refuse residents: the toolbar says a scan
			// failed, and the log says why.
			s.l.Error("--scanner needs scanimage (apt-get install sane-utils): scans will fail", "err", err)
		}
	}
	checkUSB(conf, s.l)
	s.speech = speechOn(conf.Audio, s.l)
	if err := s.egressGate(ctx); err != nil {
		return err
	}
	s.sayHello(ctx)
	for ctx.Err() == nil {
		if err := s.egressGate(ctx); err != nil {
			return err
		}
		s.sayHello(ctx)
		if err := s.runSession(ctx); err != nil {
			return err
		}
	}
	return nil
}

// sayHello tells the service a (new) shell runs, once. An open session of
// an earlier shell ends as crash; the leftovers are already wiped.
func (s *supervisor) sayHello(ctx context.Context) {
	if s.hello {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := s.api.Post(cctx, "/api/shell/hello", map[string]string{"version": s.conf.Version})
	if err != nil {
		s.l.Warn("service not reachable yet", "err", err)
		return
	}
	s.hello = true
	if st.State == StateWiping || st.State == StateOutOfOrder {
		s.report(ctx, nil)
	}
}

// runSession runs one browser process in a fresh profile, then wipes it.
func (s *supervisor) runSession(ctx context.Context) error {
	dir, err := newProfile(s.conf.profilesDir())
	if err != nil {
		s.l.Error("creating profile", "err", err)
		return s.outOfOrder(ctx, err, func() error {
			d, err := newProfile(s.conf.profilesDir())
			if err == nil {
				err = wipeProfile(d)
			}
			return err
		})
	}
	c, err := startChild(s.conf, dir, s.browserFlags(""), s.l)
	if err != nil {
		_ = wipeProfile(dir)
		return fmt.Errorf("starting browser: %w", err)
	}
	s.l.Info("browser started", "pid", c.cmd.Process.Pid, "profile", dir)
	c.readyGrace = s.conf.readyGrace()
	started := s.followStart(ctx, c)
	stopEgress := s.watchEgress(ctx, c)
	res := c.watch(ctx, s.conf.ping(), s.conf.hangAfter(), s.conf.startGrace())
	stopEgress()
	started()
	end := time.Now()
	s.l.Info("browser ended", "pid", c.cmd.Process.Pid, "why", res.why, "crashed", res.crashed, "session", res.session)
	if res.crashed {
		s.post(ctx, "/api/shell/crash")
	}
	failed := s.startFailed(ctx, res)
	if _, _, broken := s.starts.broken(); !broken && (failed || res.crashed && !res.ready && !res.session) {
		// It died before its first welcome screen (no display, a broken
		// install or update): wait before the next try instead of looping.
		// After MaxStartFailures, waitBroken waits longer.
		sleepCtx(ctx, s.conf.retry())
	}
	werr := wipeProfile(dir)
	if werr != nil {
		s.l.Error("wipe failed: terminal out of order", "err", werr)
		return s.outOfOrder(ctx, werr, func() error { return wipeProfile(dir) })
	}
	s.l.Info("profile wiped", "profile", dir, "took", time.Since(end).Round(time.Millisecond))
	if s.prints != nil {
		if err := s.prints.afterSession(ctx, res.printed); err != nil {
			s.l.Error("print queue unknown after a session that printed: terminal out of order", "err", err)
			return s.outOfOrder(ctx, err, func() error { return s.prints.clearAll(ctx) })
		}
	}
	if _, _, broken := s.starts.broken(); broken {
		return s.waitBroken(ctx) // out of order: no wipe report puts it back
	}
	s.report(ctx, nil)
	return nil
}

// outOfOrder reports cause, shows the built-in "Terminal momentanément
// indisponible" screen in a browser process that loads nothing, and retries
// fix until it succeeds (then reports the wipe) or ctx is done.
func (s *supervisor) outOfOrder(ctx context.Context, cause error, fix func() error) error {
	s.report(ctx, cause)
	for ctx.Err() == nil {
		dir, err := newProfile(s.conf.profilesDir())
		if err != nil {
			// Nowhere to start even the out-of-order screen: keep trying.
			dir = ""
		}
		var c *child
		if dir != "" {
			c, err = startChild(s.conf, dir, s.outOfOrderFlags(cause), s.l)
			if err != nil {
				s.l.Error("starting out-of-order screen", "err", err)
			}
		}
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		if c != nil {
			go func() { c.watch(cctx, s.conf.ping(), s.conf.hangAfter(), s.conf.startGrace()); close(done) }()
		} else {
			close(done)
		}
		fixed := s.retryUntil(ctx, done, fix)
		cancel()
		<-done
		if !fixed {
			sleepCtx(ctx, s.conf.retry()) // the screen died: do not loop
		}
		if dir != "" {
			if err := wipeProfile(dir); err != nil {
				cause = err
				continue
			}
		}
		if fixed {
			s.l.Info("wipe succeeded: terminal back in order")
			s.report(ctx, nil)
			return nil
		}
	}
	return nil
}

// retryUntil runs fix every retry period until it succeeds (true), ctx ends
// or done closes (false).
func (s *supervisor) retryUntil(ctx context.Context, done <-chan struct{}, fix func() error) bool {
	t := time.NewTicker(s.conf.retry())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-done:
			return false
		case <-t.C:
			err := fix()
			if err == nil {
				return true
			}
			s.l.Warn("still out of order", "err", err)
		}
	}
}

// report tells the service how the wipe went. The service may be down: the
// next browser process then shows the out-of-order screen anyway.
func (s *supervisor) report(ctx context.Context, wipeErr error) {
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.api.wiped(cctx, wipeErr); err != nil {
		s.l.Warn("reporting wipe", "err", err)
	}
}

// post sends a bodiless action, logging a failure.
func (s *supervisor) post(ctx context.Context, path string) {
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := s.api.Post(cctx, path, nil); err != nil {
		s.l.Warn("calling service", "path", path, "err", err)
	}
}

// browserFlags returns the flags of a browser process.
func (s *supervisor) browserFlags(outOfOrder string) []string {
	f := []string{"--heartbeat", "--admin", s.conf.AdminURL, "--api-token-file", s.conf.tokenFile(), "--proxy", s.conf.ProxyAddr}
	if s.conf.LogLevel != "" {
		f = append(f, "--log-level", s.conf.LogLevel)
	}
	if s.conf.Windowed {
		f = append(f, "--windowed")
	}
	f = append(f, "--touch="+s.conf.Touch.String()) // a bool-like flag: one argument
	if s.conf.HungPage > 0 {
		f = append(f, "--hung-page", s.conf.HungPage.String())
	}
	switch {
	case outOfOrder != "":
		// The out-of-order screen loads nothing but its built-in page, so it
		// also shows when the sandbox is what is out of order.
		f = append(f, "--no-sandbox", "--out-of-order", outOfOrder)
	case s.conf.NoSandbox:
		f = append(f, "--no-sandbox")
	}
	if outOfOrder == "" && s.conf.Printer != "" {
		f = append(f, "--printer", s.conf.Printer)
	}
	if outOfOrder == "" && s.conf.Scanner != "" {
		f = append(f, "--scanner", s.conf.Scanner)
	}
	if outOfOrder == "" && s.conf.USB {
		f = append(f, "--usb", "--clamd-socket", s.conf.ClamdSocket)
	}
	if outOfOrder == "" && s.speech {
		f = append(f, "--speech")
	}
	return f
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// printerReport tells the service the printer's state, for the town's
// monitoring (/metrics kiosk_printer_failing, docs/fleet.md).
func (s *supervisor) printerReport(ctx context.Context, failing bool, queued int) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := s.api.Post(cctx, "/api/shell/printer", map[string]any{"failing": failing, "queued": queued}); err != nil {
		s.l.Warn("reporting the printer's state", "err", err)
	}
}
