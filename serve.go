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
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/portal"
	"github.com/communes/kiosk/proxy"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
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
	if c.Procs > 0 {
		runtime.GOMAXPROCS(c.Procs)
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
func serve(ctx context.Context, c *serveConfig, l *slog.Logger) (err error) {
	if err := checkDataDir(c.DataDir); err != nil {
		return err
	}
	holder := &policyHolder{}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := newServiceMetrics(reg, holder)
	facts := &terminalFacts{}
	if c.AllowlistURL == "" {
		abs, err := filepath.Abs(c.Allowlist)
		if err != nil {
			return fmt.Errorf("allowlist path: %w", err)
		}
		c.Allowlist = abs
		if err := holder.loadFile(c.Allowlist); err != nil {
			return fmt.Errorf("allowlist %s: %w", c.Allowlist, err)
		}
	}

	store, err := usage.Open(&usage.Config{
		Path:          filepath.Join(c.DataDir, "usage.db"),
		Logger:        l.With("component", "usage"),
		RetentionDays: c.RetentionDays,
	})
	if err != nil {
		if errors.Is(err, usage.ErrCorrupt) || errors.Is(err, usage.ErrNewerSchema) {
			return fmt.Errorf("usage store: %w (to start afresh, move %s aside; see docs/usage.md)",
				err, filepath.Join(c.DataDir, "usage.db"))
		}
		return fmt.Errorf("usage store: %w", err)
	}
	defer func() {
		if cerr := store.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing usage store: %w", cerr)
		}
	}()

	agents, err := agent.Open(filepath.Join(c.DataDir, agent.FileName))
	if err != nil {
		return fmt.Errorf("agent accounts: %w", err)
	}
	ctl, err := session.New(&session.Config{
		Logger:        l,
		Recorder:      sessionRecorder{store: store, m: metrics, wipes: &facts.wipes},
		Mode:          session.Mode(c.Mode),
		IdleTimeout:   c.IdleTimeout,
		IdleCountdown: c.IdleCountdown,
		MaxSession:    c.MaxSession,
		MaxSupervised: c.MaxSupervised,
		Warning:       c.Warning,
		Languages:     c.languageList(),
		WelcomeText:   c.WelcomeText,

		SatisfactionTimeout: c.Satisfaction,
		Auditor:             store,
		CheckPIN:            agentPINCheck(agents),
		Lockout:             store,
	})
	if err != nil {
		return fmt.Errorf("session settings: %w", err)
	}
	pages, err := portal.New(&portal.Config{
		Logger:     l,
		Allowlist:  holder.Load,
		Lang:       sessionLang(ctl),
		Supervised: ctl.Supervised,

		Languages:           c.languageList(),
		WelcomeText:         c.WelcomeText,
		SatisfactionTimeout: c.Satisfaction,
		Mode:                c.Mode,
	})
	if err != nil {
		return fmt.Errorf("portal: %w", err)
	}

	registerStateGauge(reg, ctl)
	if err := registerTerminalMetrics(reg, c, holder, ctl, facts); err != nil {
		return fmt.Errorf("terminal metrics: %w", err)
	}
	p, err := proxy.New(&proxy.Config{
		Logger:      l,
		Allowlist:   holder.Load,
		Policy:      ctl,
		Recorder:    proxyRecorder{store: store, ctl: ctl},
		Upstream:    c.upstream,
		Internal:    pages,
		BlockedPage: pages.Blocked,
		Registerer:  reg,

		MaxConns:        orOff(c.ProxyMaxConns),
		BodyIdleTimeout: orOff(c.ProxyBodyIdle),
	})
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	defer p.Close()

	tokenFile := filepath.Join(c.DataDir, "api.token")
	localAPI, err := api.New(&api.Config{
		Logger:     l,
		Controller: wipeReports{Controller: ctl, wipes: &facts.wipes},
		State: func(ctx context.Context, since uint64) any {
			defer facts.shell.Begin(time.Now)()
			return ctl.Wait(ctx, since)
		},
		Printer:   facts.printerReport,
		Settings:  func() any { return ctl.Settings() },
		Allowlist: allowlistBytes(holder),
		TokenFile: tokenFile,
	})
	if err != nil {
		return fmt.Errorf("local API: %w", err)
	}
	// The token must not outlive the service, whichever way serve returns.
	defer func() {
		if cerr := localAPI.Close(); cerr != nil {
			l.Warn("removing the api token file", "file", tokenFile, "err", cerr)
		}
	}()

	proxyLn, err := net.Listen("tcp", c.ProxyListen)
	if err != nil {
		return fmt.Errorf("proxy cannot listen on %s: %w", c.ProxyListen, err)
	}
	defer proxyLn.Close()
	tlsConf, fingerprint, err := admin.TLSConfig(c.AdminListen, c.AdminTLSCert, c.AdminTLSKey, c.DataDir)
	if err != nil {
		return fmt.Errorf("admin TLS: %w", err)
	}
	adminLn, err := net.Listen("tcp", c.AdminListen)
	if err != nil {
		return fmt.Errorf("admin page cannot listen on %s: %w", c.AdminListen, err)
	}
	defer adminLn.Close()

	var proxyDown atomic.Pointer[error]
	adm, err := admin.New(&admin.Config{
		Logger:      l.With("component", "admin"),
		Store:       store,
		Credentials: filepath.Join(c.DataDir, admin.CredentialsFileName),
		Status: withTerminalName(c.TerminalName, adminStatus(holder, proxyLn.Addr().String(), func() error {
			if e := proxyDown.Load(); e != nil {
				return *e
			}
			return nil
		}, ctl)),
		Gatherer:     reg,
		API:          localAPI,
		APITokenFile: tokenFile,
		TLS:          tlsConf != nil,
		Hosts:        append(admin.HostNames(c.AdminListen, tlsConf), c.adminHostList()...),
		Agents:       agents,
		Session:      ctl,

		SiteOperators: siteOperators(holder),
		Allowlist:     holder.Load,
		AllowlistFile: editableAllowlist(c),
	})
	if err != nil {
		return fmt.Errorf("admin page: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	errc := make(chan error, 8)
	goRun := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errc <- err
			}
		}()
	}

	goRun(func() error { return ctl.Run(ctx) })
	if c.AllowlistURL != "" {
		fetcher, err := newRemoteFetcher(c, holder, l)
		if err != nil {
			return err
		}
		facts.fetcher.Store(fetcher)
		goRun(func() error { return fetcher.Run(ctx) })
	} else {
		hup := make(chan struct{}, 1)
		go forwardSIGHUP(ctx, hup)
		goRun(func() error {
			return watchAllowlist(ctx, holder, c.Allowlist, hup, l.With("component", "allowlist"))
		})
	}

	errLog := slog.NewLogLogger(l.Handler(), slog.LevelDebug)
	proxySrv := p.Server(c.ProxyListen)
	adminSrv := &http.Server{Handler: adm, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: errLog, TLSConfig: tlsConf}
	goRun(func() error {
		err := proxySrv.Serve(p.Listener(proxyLn))
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		err = fmt.Errorf("proxy server: %w", err)
		proxyDown.Store(&err)
		return err
	})
	goRun(func() error {
		var err error
		if tlsConf != nil {
			err = adminSrv.ServeTLS(adminLn, "", "")
		} else {
			err = adminSrv.Serve(adminLn)
		}
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("admin server: %w", err)
	})

	scheme := "http"
	if tlsConf != nil {
		scheme = "https"
		l.Info("admin page uses TLS", "sha256_fingerprint", fingerprint)
	}
	sites := 0
	if list := holder.Load(); list != nil {
		sites = len(list.Sites)
	}
	l.Info("kiosk service started", "terminal", c.TerminalName, "version", version, "proxy", proxyLn.Addr().String(),
		"admin", scheme+"://"+adminLn.Addr().String()+"/", "allowlist", c.Allowlist, "sites", sites, "data", c.DataDir)

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	l.Info("kiosk service stopping")
	cancel()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shutCancel()
	_ = proxySrv.Shutdown(shutCtx)
	_ = adminSrv.Shutdown(shutCtx)
	return err
}
