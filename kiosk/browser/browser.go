package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/kiosk"
)

// This file, state.go and bindings.go are the browser process on every
// platform: following the service's state, the page each state shows, the
// bindings. What only WebKitGTK or WebView2 can do is behind View
// (kiosk/browser/webkit, with browser_linux.go, events_linux.go,
// print_linux.go, scan_linux.go; kiosk/browser/webview2, with
// bindings_windows.go, events_windows.go, handles_windows.go).

// ErrCrashed is returned by Done when the browser process must be
// counted as a crash: the web process died or hung, or WebView2 is
// unusable.
var ErrCrashed = errors.New("web process terminated")

// What the view shows, as far as the shell is concerned.
type screen int

const (
	screenNone       screen = iota
	screenWelcome           // the portal's welcome page
	screenPortalDown        // the portal's out-of-order page (state out_of_order)
	screenBuiltin           // a built-in page (out of order, page unavailable)
	screenOther             // anything else
)

// View is the window and its web view, as the platform gives them: the
// calls the platform-neutral logic makes into WebKitGTK (kiosk/browser/webkit)
// or WebView2 (kiosk/browser/webview2). Its methods must be called on the
// main loop (or before it runs), except Dispatch and Reply.
type View interface {
	// Dispatch runs f on the main loop. It's safe for concurrent use.
	Dispatch(f func())
	// Navigate loads uri in the main frame.
	Navigate(uri string)
	// LoadHTML shows html, a page from the shell binary.
	LoadHTML(html string)
	// Toolbar adds the toolbar's script to every document loaded from now
	// on; where the platform can, in a script world of its own.
	Toolbar(js string)
	// ToolbarEval runs js where the toolbar's script runs.
	ToolbarEval(js string)
	// Eval runs js in the current document.
	Eval(js string)
	// Reply settles the binding call id with resultJSON. It's safe for
	// concurrent use.
	Reply(id string, ok bool, resultJSON string)
	// GoBack goes back in the view's history where "Retour" may go and
	// reports whether it did; false sends the resident home.
	GoBack() bool
	// ClearClipboard empties the clipboard (what a resident copied must
	// not reach the next one).
	ClearClipboard()
	// Quit stops the main loop.
	Quit()
}

// Browser is one browser process. Fields marked "main" are used only on
// the main loop (GTK's, or the window's thread on Windows).
type Browser struct {
	conf    *Config
	l       *slog.Logger
	v       View
	api     *kiosk.APIClient
	nav     navigator
	proxied *http.Client
	ctx     context.Context
	cancel  context.CancelFunc

	pipeMu  sync.Mutex
	pipeOut *os.File

	owned    bool   // main: a session opened in this process
	showing  screen // main
	endShown bool   // main: the satisfaction page was loaded
	toolbar  bool   // main: the toolbar script is installed
	quitting bool   // main
	exitErr  error  // main

	// platform has the fields only one platform's code uses.
	platform

	recovering atomic.Bool

	mu        sync.Mutex
	state     *kiosk.State
	applied   int64 // version of the state applied last; -1 after an error
	lastInput time.Time
	listSum   string // allowlist_sha256 of the matcher in use

	// lastGesture is the time of the resident's last input event as the
	// toolkit saw it (main loop only; zero where the toolkit does not
	// report input, see residentActed).
	lastGesture time.Time
}

// New returns the browser process of conf, without its view. The caller
// attaches a view, calls Begin, runs the view's main loop, then Done.
func New(conf *Config) (*Browser, error) { return newBrowser(conf) }

// Begin starts the browser (before the main loop runs): it answers the
// supervisor's heartbeat read from in on the main loop and writes its
// messages to out (both nil without a supervisor), and shows the first
// screen. The view must be attached.
func (b *Browser) Begin(in, out *os.File) {
	b.pipeMu.Lock()
	b.pipeOut = out
	b.pipeMu.Unlock()
	b.startPipe(in)
	b.begin()
}

// Done stops the browser's work once the main loop has returned, and
// returns why it ended: nil for the end of a session, ErrCrashed for a
// crash.
func (b *Browser) Done() error {
	b.cancel()
	return b.exitErr
}

// Logger is the browser process's logger.
func (b *Browser) Logger() *slog.Logger { return b.l }

// newBrowser returns the browser process of conf, without its view. The
// caller must call b.cancel when done.
func newBrowser(conf *Config) (*Browser, error) {
	if conf.Logger == nil {
		return nil, errors.New("kiosk browser: Logger is required")
	}
	b := &Browser{
		conf:    conf,
		l:       conf.Logger.With("component", "browser", "pid", os.Getpid()),
		api:     kiosk.NewAPIClient(conf.AdminURL, conf.TokenFile),
		applied: -1,
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.proxied = &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL(conf.ProxyAddr))},
		Timeout:   3 * time.Second,
	}
	return b, nil
}

// proxyURL is the URL of the kiosk proxy at addr.
func proxyURL(addr string) *url.URL { return &url.URL{Scheme: "http", Host: addr} }

// onMain runs f on the main loop. It's safe for concurrent use.
func (b *Browser) onMain(f func()) { b.v.Dispatch(f) }

// begin shows the first screen (before the main loop runs): the built-in
// out-of-order screen when the supervisor said so, else the welcome page
// once the settings and the toolbar are in.
func (b *Browser) begin() {
	if b.conf.OutOfOrder != "" {
		b.showBuiltin(outOfOrderPageFor(b.conf.OutOfOrderKind, b.conf.OutOfOrder))
		b.send(kiosk.MsgOutOfOrder)
	} else {
		go b.boot()
	}
}

// boot fetches the settings and the toolbar, then shows the welcome page
// and follows the service's state.
func (b *Browser) boot() {
	if err := b.fetch(); err != nil {
		b.unreachable(err)
		return
	}
	b.onMain(func() { b.showWelcome() })
	go b.follow()
}

// fetch loads the allowlist from the API and the toolbar from the portal
// (through the proxy, as the pages are), in parallel.
func (b *Browser) fetch() error {
	var (
		wg       sync.WaitGroup
		tb       []byte
		tbErr    error
		cctx, cf = context.WithTimeout(b.ctx, 3*time.Second)
	)
	defer cf()
	wg.Add(1)
	go func() {
		defer wg.Done()
		tb, tbErr = b.getPortal(cctx, "toolbar.js")
	}()
	cfg, cfgErr := b.api.Config(cctx)
	wg.Wait()
	if cfgErr != nil {
		return fmt.Errorf("reading settings: %w", cfgErr)
	}
	if tbErr != nil {
		return fmt.Errorf("reading toolbar through the proxy: %w", tbErr)
	}
	if err := b.useConfig(cfg); err != nil {
		return err
	}
	b.onMain(func() {
		if !b.toolbar {
			b.toolbar = true
			b.v.Toolbar(b.toolbarScript(tb))
		}
	})
	return nil
}

// useConfig builds the navigation matcher from the service's allowlist.
func (b *Browser) useConfig(cfg *kiosk.RemoteConfig) error {
	list, err := allowlist.Parse([]byte(cfg.AllowlistYAML), "api:"+cfg.AllowlistFile)
	if err != nil {
		// The service validated it; a refusal here means a version skew.
		return fmt.Errorf("parsing the service's allowlist: %w", err)
	}
	b.nav.list.Store(list)
	b.mu.Lock()
	b.listSum = cfg.AllowlistSum
	b.mu.Unlock()
	return nil
}

// refreshConfig follows an allowlist reload during a session (the proxy
// applies it at once): it re-reads the settings and rebuilds the matcher
// when the file's checksum changed.
func (b *Browser) refreshConfig() {
	cctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	cfg, err := b.api.Config(cctx)
	if err != nil {
		return // the long poll reports an unreachable service
	}
	b.mu.Lock()
	same := cfg.AllowlistSum != "" && cfg.AllowlistSum == b.listSum
	b.mu.Unlock()
	if same {
		return
	}
	if err := b.useConfig(cfg); err != nil {
		b.l.Error("allowlist from the service", "err", err)
		return
	}
	b.l.Info("allowlist reloaded")
}

// getPortal GETs a portal path through the proxy.
func (b *Browser) getPortal(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, kiosk.PortalURL+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.proxied.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 2<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return data, nil
}

// sleep waits d, or less if the browser process is ending.
func (b *Browser) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-b.ctx.Done():
	}
}

// finish ends the browser process (main loop): the clipboard is emptied
// first, then the main loop stops and Done returns err.
func (b *Browser) finish(err error) {
	if b.quitting {
		return
	}
	if err == nil && b.holdForPrint() {
		return
	}
	if b.holdForUSB(err) {
		return // the key is unmounted first
	}
	b.quitting = true
	b.exitErr = err
	b.l.Info("browser process ending", "err", err)
	b.stopSpeech("browser process ending")
	b.v.ClearClipboard()
	if err == nil {
		b.send(kiosk.MsgExiting) // the supervisor may kill us from now on
	}
	b.v.Quit()
}

// send writes one message to the supervisor (no-op without one).
func (b *Browser) send(msg string) {
	b.pipeMu.Lock()
	defer b.pipeMu.Unlock()
	if b.pipeOut != nil {
		_, _ = b.pipeOut.WriteString(msg + "\n")
	}
}

// startPipe answers the supervisor's heartbeat, read from in, from the
// main loop, so a hung main loop goes unanswered. Without a supervisor (in
// is nil) it does nothing.
func (b *Browser) startPipe(in *os.File) {
	if in == nil {
		return
	}
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := in.Read(buf); err != nil {
				// The supervisor is gone: nobody will wipe after us, stop.
				b.onMain(func() { b.finish(nil) })
				return
			}
			b.onMain(func() {
				b.send(kiosk.MsgPong)
				b.checkResponsive()
			})
		}
	}()
}

// call posts an action and applies the state it returns.
func (b *Browser) call(path string, body any) (*kiosk.State, error) {
	cctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	st, err := b.api.Post(cctx, path, body)
	if err != nil {
		return nil, err
	}
	b.setState(st)
	return st, nil
}

func (c *Config) retryPeriod() time.Duration {
	if c.Retry <= 0 {
		return 3 * time.Second
	}
	return c.Retry
}
