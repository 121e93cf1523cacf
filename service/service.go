// Package service is the kiosk's system service as one type. New builds
// and wires its parts: the allowlist in force, the usage store, the agent
// accounts, the session controller, the residents' pages, the filtering
// proxy, the local API and the admin page. Run serves them until its
// context ends, then stops them in a written order (see Run).
//
// The packages it wires do not import each other (style.md §1): the small
// adapters between them are in wire.go.
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/maintenance"
	"github.com/communes/kiosk/portal"
	"github.com/communes/kiosk/proxy"
	"github.com/communes/kiosk/remote"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
)

// ShutdownTimeout bounds how long Run waits for the proxy's and the admin
// page's requests in flight once it stops; those still open then are cut,
// and Run reports it.
const ShutdownTimeout = 5 * time.Second

// Service is the running kiosk service. Make one with New and call Run
// exactly once: Run releases everything New acquired.
type Service struct {
	conf Config
	log  *slog.Logger

	holder  *watch.Holder
	store   *usage.Store
	ctl     *session.Controller
	proxy   *proxy.Proxy
	api     *api.Handler
	fetcher *remote.Fetcher // nil when the allowlist is a file
	maint   *maintenance.Maintainer
	restart chan struct{}                      // the maintenance loop asks Run to stop with ErrRestart
	system  atomic.Pointer[maintenance.System] // refreshSystem's last read
	browser browserFacts                       // the shell's browser starts (browser.go)

	proxyLn, adminLn   net.Listener
	proxySrv, adminSrv *http.Server
	proxyDown          atomic.Pointer[error]
	adminScheme        string

	reload chan struct{}
	ran    atomic.Bool
}

// New checks c, builds every part of the service and opens its listeners,
// so that a bad setting, a refused allowlist or a port taken fails here.
// On failure it releases what it had acquired (the usage store's lock, the
// local API's token file, the listeners).
func New(c *Config) (s *Service, err error) {
	if err := check(c); err != nil {
		return nil, err
	}
	s = &Service{conf: *c, log: c.Logger, reload: make(chan struct{}, 1)}
	c = &s.conf
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	l := s.log

	// undo releases, last acquired first, what New acquired before it failed.
	var undo []func() error
	defer func() {
		if err == nil {
			return
		}
		for i := len(undo) - 1; i >= 0; i-- {
			err = errors.Join(err, undo[i]())
		}
		s = nil
	}()

	if err := checkDataDir(c.DataDir); err != nil {
		return nil, err
	}
	s.holder = &watch.Holder{}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := newServiceMetrics(reg, s.holder)
	facts := &terminalFacts{}
	if c.AllowlistURL == "" {
		abs, err := filepath.Abs(c.Allowlist)
		if err != nil {
			return nil, fmt.Errorf("allowlist path: %w", err)
		}
		c.Allowlist = abs
		if err := s.holder.LoadFile(c.Allowlist); err != nil {
			return nil, fmt.Errorf("allowlist %s: %w", c.Allowlist, err)
		}
	}

	storePath := filepath.Join(c.DataDir, "usage.db")
	s.store, err = usage.Open(&usage.Config{
		Path:          storePath,
		Logger:        l.With("component", "usage"),
		RetentionDays: c.RetentionDays,
	})
	if err != nil {
		if errors.Is(err, usage.ErrCorrupt) || errors.Is(err, usage.ErrNewerSchema) {
			return nil, fmt.Errorf("usage store: %w (to start afresh, move %s aside; see docs/usage.md)", err, storePath)
		}
		return nil, fmt.Errorf("usage store: %w", err)
	}
	undo = append(undo, s.closeStore)

	agents, err := agent.Open(filepath.Join(c.DataDir, agent.FileName))
	if err != nil {
		return nil, fmt.Errorf("agent accounts: %w", err)
	}
	s.ctl, err = session.New(&session.Config{
		Logger:        l,
		Recorder:      sessionRecorder{store: s.store, m: metrics, wipes: &facts.wipes},
		Mode:          c.Mode,
		IdleTimeout:   c.IdleTimeout,
		IdleCountdown: c.IdleCountdown,
		MaxSession:    c.MaxSession,
		MaxSupervised: c.MaxSupervised,
		Warning:       c.Warning,
		Languages:     c.Languages,
		WelcomeText:   c.WelcomeText,

		SatisfactionTimeout: c.Satisfaction,
		Auditor:             s.store,
		CheckPIN:            PINCheck(agents),
		Lockout:             s.store,
	})
	if err != nil {
		return nil, fmt.Errorf("session settings: %w", err)
	}
	pages, err := portal.New(&portal.Config{
		Logger:     l,
		Allowlist:  s.holder.Load,
		Lang:       sessionLang(s.ctl),
		Supervised: s.ctl.Supervised,

		Languages:           c.Languages,
		WelcomeText:         c.WelcomeText,
		SatisfactionTimeout: c.Satisfaction,
		Mode:                string(c.Mode),
	})
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}

	if err := s.newMaintainer(c); err != nil {
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	facts.maint = s.maint
	registerStateGauge(reg, s.ctl)
	registerBrowserMetrics(reg, &s.browser)
	if err := registerTerminalMetrics(reg, c, s.holder, s.ctl, facts); err != nil {
		return nil, fmt.Errorf("terminal metrics: %w", err)
	}
	s.proxy, err = proxy.New(&proxy.Config{
		Logger:      l,
		Allowlist:   s.holder.Load,
		Policy:      s.ctl,
		Recorder:    proxyRecorder{store: s.store, ctl: s.ctl},
		Upstream:    c.Upstream,
		Internal:    pages,
		BlockedPage: pages.Blocked,
		Registerer:  reg,

		MaxConns:        c.ProxyMaxConns,
		BodyIdleTimeout: c.ProxyBodyIdle,
	})
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	undo = append(undo, s.proxy.Close)

	tokenFile := filepath.Join(c.DataDir, "api.token")
	s.api, err = api.New(&api.Config{
		Logger:     l,
		Controller: wipeReports{Controller: s.ctl, wipes: &facts.wipes},
		State: func(ctx context.Context, since uint64) any {
			defer facts.shell.Begin(time.Now)()
			return s.ctl.Wait(ctx, since)
		},
		Printer:   facts.printerReport,
		Browser:   s.browserReport,
		Threat:    s.store.Threat,
		Settings:  func() any { return s.ctl.Settings() },
		Allowlist: allowlistBytes(s.holder),
		TokenFile: tokenFile,
	})
	if err != nil {
		return nil, fmt.Errorf("local API: %w", err)
	}
	// The token must not outlive the service, whichever way it ends.
	undo = append(undo, s.removeToken)

	s.proxyLn, err = net.Listen("tcp", c.ProxyListen)
	if err != nil {
		return nil, fmt.Errorf("proxy cannot listen on %s: %w", c.ProxyListen, err)
	}
	undo = append(undo, ignoreClosed(s.proxyLn.Close))
	tlsConf, fingerprint, err := admin.TLSConfig(c.AdminListen, c.AdminTLSCert, c.AdminTLSKey, c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("admin TLS: %w", err)
	}
	s.adminLn, err = net.Listen("tcp", c.AdminListen)
	if err != nil {
		return nil, fmt.Errorf("admin page cannot listen on %s: %w", c.AdminListen, err)
	}
	undo = append(undo, ignoreClosed(s.adminLn.Close))

	editable := c.Allowlist // the learning view adds hosts to the file...
	if c.AllowlistURL != "" {
		editable = "" // ...never to a list that comes from a URL.
	}
	adm, err := admin.New(&admin.Config{
		Logger:      l.With("component", "admin"),
		Store:       s.store,
		Credentials: filepath.Join(c.DataDir, admin.CredentialsFileName),
		Status: s.withSystem(withTerminalName(c.TerminalName, adminStatus(s.holder, s.proxyLn.Addr().String(), func() error {
			if e := s.proxyDown.Load(); e != nil {
				return *e
			}
			return nil
		}, s.ctl))),
		Gatherer:     reg,
		API:          s.api,
		APITokenFile: tokenFile,
		TLS:          tlsConf != nil,
		Hosts:        append(admin.HostNames(c.AdminListen, tlsConf), c.AdminHosts...),
		Agents:       agents,
		Session:      s.ctl,

		SiteOperators: siteOperators(s.holder),
		Allowlist:     s.holder.Load,
		AllowlistFile: editable,
	})
	if err != nil {
		return nil, fmt.Errorf("admin page: %w", err)
	}

	if c.AllowlistURL != "" {
		s.fetcher, err = newRemoteFetcher(c, s.holder, l)
		if err != nil {
			return nil, err
		}
		facts.fetcher.Store(s.fetcher)
	}

	s.proxySrv = s.proxy.Server(c.ProxyListen)
	s.adminSrv = &http.Server{
		Handler:           adm,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(l.Handler(), slog.LevelDebug),
		TLSConfig:         tlsConf,
	}
	s.adminScheme = "http"
	if tlsConf != nil {
		s.adminScheme = "https"
		l.Info("admin page uses TLS", "sha256_fingerprint", fingerprint)
	}
	return s, nil
}

// check refuses a Config without its required fields.
func check(c *Config) error {
	switch {
	case c == nil:
		return errors.New("service: no config")
	case c.DataDir == "":
		return errors.New("service: no data directory")
	case c.Allowlist == "" && c.AllowlistURL == "":
		return errors.New("service: no allowlist file or URL")
	case c.AllowlistURL != "" && c.AllowlistKey == "":
		return errors.New("service: an allowlist URL needs its public key")
	case c.ProxyListen == "" || c.AdminListen == "":
		return errors.New("service: the proxy's and the admin page's addresses are required")
	case c.TerminalName == "":
		return errors.New("service: no terminal name")
	}
	return nil
}

// ProxyAddr is the address the proxy listens on.
func (s *Service) ProxyAddr() net.Addr { return s.proxyLn.Addr() }

// AdminAddr is the address the admin page and the local API listen on.
func (s *Service) AdminAddr() net.Addr { return s.adminLn.Addr() }

// Reload re-reads the allowlist file now, as a change on disk does (SIGHUP
// calls it). With an allowlist URL it does nothing: the list is fetched on
// its own schedule. It never blocks; a reload asked while one is pending
// is merged with it.
func (s *Service) Reload() {
	if s.fetcher != nil {
		s.log.Info("allowlist reload asked: nothing to do, the list is fetched from its URL", "url", s.conf.AllowlistURL)
		return
	}
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// Run serves until ctx is done or a part fails, then stops, in this order:
//
//  1. stop accepting: the proxy and the admin page close their listeners,
//     the local API's long polls return, and requests in flight get
//     ShutdownTimeout to end before they are cut;
//  2. end the session controller and the allowlist's watcher (or
//     fetcher), now that no request can reach them, and wait for every
//     goroutine Run started;
//  3. flush and close the usage store, now that nothing records into it;
//  4. remove the local API's token file, so that a stopped service leaves
//     no valid token behind.
//
// It returns nil after a stop asked by ctx, else the failure that stopped
// it, joined with every error of the steps above.
func (s *Service) Run(ctx context.Context) error {
	if !s.ran.CompareAndSwap(false, true) {
		return errors.New("service: Run called twice")
	}
	l, c := s.log, &s.conf
	// The parts (step 2) stop only after the servers (step 1), whatever
	// ends ctx: they get contexts of their own.
	partsCtx, stopParts := context.WithCancel(context.WithoutCancel(ctx))
	defer stopParts()
	requests, endRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer endRequests()
	s.adminSrv.BaseContext = func(net.Listener) context.Context { return requests }

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.ctl.Run(partsCtx) })
	g.Go(func() error { return s.maint.Run(partsCtx) })
	g.Go(func() error { return s.waitRestart(gctx) })
	g.Go(func() error { return s.refreshSystem(partsCtx) })
	if s.fetcher != nil {
		g.Go(func() error { return s.fetcher.Run(partsCtx) })
	} else {
		g.Go(func() error {
			return s.holder.Watch(partsCtx, c.Allowlist, s.reload, l.With("component", "allowlist"))
		})
	}
	g.Go(func() error {
		err := s.proxySrv.Serve(s.proxy.Listener(s.proxyLn))
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		err = fmt.Errorf("proxy server: %w", err)
		s.proxyDown.Store(&err)
		return err
	})
	g.Go(func() error {
		var err error
		if s.adminSrv.TLSConfig != nil {
			err = s.adminSrv.ServeTLS(s.adminLn, "", "")
		} else {
			err = s.adminSrv.Serve(s.adminLn)
		}
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("admin server: %w", err)
	})
	var stopErr error // written before the goroutine returns, read after g.Wait
	g.Go(func() error {
		<-gctx.Done()
		l.Info("kiosk service stopping")
		endRequests()
		stopErr = s.stopServers() // step 1
		stopParts()               // step 2
		return nil
	})

	allowlistName, sites := c.Allowlist, 0
	if c.AllowlistURL != "" {
		allowlistName = c.AllowlistURL
	}
	if list := s.holder.Load(); list != nil {
		sites = len(list.Sites)
	}
	l.Info("kiosk service started", "terminal", c.TerminalName, "version", c.Version, "proxy", s.proxyLn.Addr().String(),
		"admin", s.adminScheme+"://"+s.adminLn.Addr().String()+"/", "allowlist", allowlistName, "sites", sites, "data", c.DataDir)

	runErr := g.Wait() // step 2 ends here
	// The servers closed their listeners, unless one stopped before it served.
	lnErr := errors.Join(ignoreClosed(s.proxyLn.Close)(), ignoreClosed(s.adminLn.Close)())
	return errors.Join(runErr, stopErr, lnErr, s.closeStore(), s.removeToken()) // steps 3 and 4
}

// stopServers is step 1 of Run's stop: it stops both servers, cutting the
// requests still open after ShutdownTimeout.
func (s *Service) stopServers() error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, srv := range []struct {
		name string
		srv  *http.Server
	}{{"proxy", s.proxySrv}, {"admin page", s.adminSrv}} {
		if err := srv.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stopping the %s: %w (its open connections were cut)", srv.name, err), srv.srv.Close())
		}
	}
	errs = append(errs, s.proxy.Close())
	return errors.Join(errs...)
}

// closeStore flushes the usage counts and closes the store.
func (s *Service) closeStore() error {
	if err := s.store.Close(); err != nil {
		return fmt.Errorf("closing usage store: %w", err)
	}
	return nil
}

// removeToken removes the local API's token file.
func (s *Service) removeToken() error {
	if err := s.api.Close(); err != nil {
		return fmt.Errorf("removing the api token file: %w", err)
	}
	return nil
}

// ignoreClosed wraps a listener's Close for New's undo list.
func ignoreClosed(close func() error) func() error {
	return func() error {
		if err := close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	}
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
