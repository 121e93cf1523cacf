//go:build webview

package kiosk

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

	webview "github.com/webview/webview_go"

	"github.com/communes/kiosk/allowlist"
)

// What the view shows, as far as the shell is concerned.
type screen int

const (
	screenNone       screen = iota
	screenWelcome           // the portal's welcome page
	screenPortalDown        // the portal's out-of-order page (state out_of_order)
	screenBuiltin           // a built-in page (out of order, page unavailable)
	screenOther             // anything else
)

// browser is one WebView2 browser process. Fields marked "main" are used
// only on the window's thread (webview's main loop).
type browser struct {
	conf    *BrowserConfig
	l       *slog.Logger
	w       webview.WebView
	api     *apiClient
	nav     navigator
	proxied *http.Client
	ctx     context.Context
	cancel  context.CancelFunc

	pipeMu  sync.Mutex
	pipeOut *os.File

	owned    bool      // main: a session opened in this process
	showing  screen    // main
	endShown bool      // main: the satisfaction page was loaded
	toolbar  bool      // main: the toolbar script is installed
	quitting bool      // main
	probe    time.Time // main: when the unanswered probe was sent
	exitErr  error     // main
	page     string    // main: the calling page of the last binding
	// native has the WebView2 hooks; nil if they could not be installed.
	native *native
	// builtinPending lets the next about:blank or data: navigation
	// through: the built-in screen the shell asked for (main).
	builtinPending bool

	recovering atomic.Bool

	mu        sync.Mutex
	state     *State
	applied   int64 // version of the state applied last; -1 after an error
	lastInput time.Time
	listSum   string // allowlist_sha256 of the matcher in use
}

// RunBrowser runs one browser process until its session is over. It must be
// called on the main goroutine (webview_go locks it to the main thread).
func RunBrowser(conf *BrowserConfig) error {
	if conf.Logger == nil {
		return errors.New("kiosk browser: Logger is required")
	}
	b := &browser{
		conf:    conf,
		l:       conf.Logger.With("component", "browser", "pid", os.Getpid()),
		api:     newAPIClient(conf.AdminURL, conf.TokenFile),
		applied: -1,
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	defer b.cancel()
	b.proxied = &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: conf.ProxyAddr})},
		Timeout:   3 * time.Second,
	}
	var in *os.File
	if conf.Heartbeat {
		var job uintptr
		var err error
		in, b.pipeOut, job, err = browserHandles()
		if err != nil {
			return err
		}
		if err := joinJob(job); err != nil {
			// WebView2's processes may then outlive this one: the wipe
			// fails and the terminal goes out of order, never unsafe.
			b.l.Warn("browser processes not grouped", "err", err)
		}
	}
	dir, cleanup, err := profileDir(conf.Heartbeat)
	if err != nil {
		return err
	}
	defer cleanup()
	userData, err := setWebView2Env(dir, conf.ProxyAddr)
	if err != nil {
		return err
	}
	w := webview.New(false)
	if w == nil || webviewPtr(w) == nil || w.Window() == nil {
		return errors.New("cannot create the WebView2 view (is the WebView2 Runtime installed?)")
	}
	defer w.Destroy()
	b.w = w
	if err := checkUserData(userData, 3*time.Second); err != nil {
		return err // never a view on a shared profile
	}
	b.setupWindow()
	if err := b.bindAll(); err != nil {
		return err
	}
	if err := b.attachNative(); err != nil {
		b.l.Error("WebView2 hooks not installed: the proxy and the guard script only", "err", err)
	}
	b.startPipe(in)
	if conf.OutOfOrder != "" {
		b.showBuiltin(outOfOrderPage(true, conf.OutOfOrder))
		b.send(msgOutOfOrder)
	} else {
		go b.boot()
	}
	w.Run()
	b.cancel()
	if !b.quitting {
		b.windowClosed()
	}
	return b.exitErr
}

// setupWindow makes the window fullscreen on its monitor, or a normal
// window with --windowed (main).
func (b *browser) setupWindow() {
	b.w.SetTitle("Kiosk")
	if b.conf.Windowed {
		b.w.SetSize(1280, 800, webview.HintNone)
		return
	}
	if err := fullscreen(uintptr(b.w.Window())); err != nil {
		b.l.Error("going fullscreen", "err", err)
	}
}

// windowClosed handles a window closed under the shell (Alt+F4 where the
// Keyboard Filter does not block it): the session, if any, ends, and this
// process exits so that its profile is wiped.
func (b *browser) windowClosed() {
	b.l.Warn("window closed: ending the session")
	if b.owned {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := b.api.post(cctx, "/api/session/end", map[string]any{"reason": "user"}); err != nil {
			b.l.Warn("ending the session", "err", err)
		}
	}
	clearClipboard(0) // the window is gone: no owner
}

// onMain runs f on the window's thread.
func (b *browser) onMain(f func()) { b.w.Dispatch(f) }

// boot fetches the settings and the toolbar, then shows the welcome page
// and follows the service's state.
func (b *browser) boot() {
	if err := b.fetch(); err != nil {
		b.unreachable(err)
		return
	}
	b.onMain(func() { b.showWelcome() })
	go b.follow()
}

// fetch loads the allowlist from the API and the toolbar from the portal
// (through the proxy, as the pages are), in parallel.
func (b *browser) fetch() error {
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
	cfg, cfgErr := b.api.config(cctx)
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
			b.w.Init(string(tb))
		}
	})
	return nil
}

// useConfig builds the matcher (the "Retour" and new-window checks) from
// the service's allowlist.
func (b *browser) useConfig(cfg *remoteConfig) error {
	list, err := allowlist.Parse([]byte(cfg.AllowlistYAML), "api:"+cfg.AllowlistFile)
	if err != nil {
		return fmt.Errorf("parsing the service's allowlist: %w", err)
	}
	b.nav.list.Store(list)
	b.mu.Lock()
	b.listSum = cfg.AllowlistSum
	b.mu.Unlock()
	return nil
}

// refreshConfig follows an allowlist reload during a session.
func (b *browser) refreshConfig() {
	cctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	cfg, err := b.api.config(cctx)
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
func (b *browser) getPortal(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, PortalURL+path, nil)
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

func (b *browser) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-b.ctx.Done():
	}
}

// finish ends the browser process (main): the clipboard is emptied first,
// then the main loop stops and RunBrowser returns err.
func (b *browser) finish(err error) {
	if b.quitting {
		return
	}
	b.quitting = true
	b.exitErr = err
	b.l.Info("browser process ending", "err", err)
	clearClipboard(uintptr(b.w.Window()))
	if err == nil {
		b.send(msgExiting) // the supervisor may kill us from now on
	}
	b.w.Terminate()
}

// send writes one message to the supervisor (no-op without one).
func (b *browser) send(msg string) {
	b.pipeMu.Lock()
	defer b.pipeMu.Unlock()
	if b.pipeOut != nil {
		_, _ = b.pipeOut.WriteString(msg + "\n")
	}
}

// startPipe answers the supervisor's heartbeat from the main loop, so a
// hung main loop goes unanswered. Without a supervisor it does nothing.
func (b *browser) startPipe(in *os.File) {
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
				b.send(msgPong)
				b.checkResponsive()
			})
		}
	}()
}

// call posts an action and applies the state it returns.
func (b *browser) call(path string, body any) (*State, error) {
	cctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	st, err := b.api.post(cctx, path, body)
	if err != nil {
		return nil, err
	}
	b.setState(st)
	return st, nil
}

func (c *BrowserConfig) retryPeriod() time.Duration { return orDefault(c.Retry, 3*time.Second) }
