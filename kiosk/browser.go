//go:build webview && linux

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

	"github.com/communes/kiosk/allowlist"
)

// ErrCrashed is returned by RunBrowser when the web process died.
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

// browser is one browser process. Fields marked "main" are used only on the
// GTK main loop.
type browser struct {
	conf    *BrowserConfig
	l       *slog.Logger
	g       *gui
	api     *apiClient
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
	// probeSent is when the unanswered probe script was sent (main).
	probeSent time.Time
	exitErr   error // main

	recovering atomic.Bool

	mu        sync.Mutex
	state     *State
	lastInput time.Time
}

// RunBrowser runs one browser process until its session is over. It must be
// called on the main goroutine (webview_go locks it to the main thread).
func RunBrowser(conf *BrowserConfig) error {
	if conf.Logger == nil {
		return errors.New("kiosk browser: Logger is required")
	}
	b := &browser{
		conf: conf,
		l:    conf.Logger.With("component", "browser", "pid", os.Getpid()),
		api:  newAPIClient(conf.AdminURL, conf.TokenFile),
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	defer b.cancel()
	proxyURL := &url.URL{Scheme: "http", Host: conf.ProxyAddr}
	b.proxied = &http.Client{
		Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)},
		Timeout:   3 * time.Second,
	}
	theBrowser = b
	b.g = newGUI(proxyURL.String(), conf.Windowed)
	if b.g == nil {
		return errors.New("cannot open the display (is DISPLAY or WAYLAND_DISPLAY set?)")
	}
	b.bindAll()
	b.startPipe()
	startControl(b)
	if conf.OutOfOrder != "" {
		b.showBuiltin(outOfOrderPage(true, conf.OutOfOrder))
		b.send(msgOutOfOrder)
	} else {
		go b.boot()
	}
	b.g.run()
	b.cancel()
	return b.exitErr
}

// boot fetches the settings and the toolbar, then shows the welcome page
// and follows the service's state.
func (b *browser) boot() {
	if err := b.fetch(); err != nil {
		b.unreachable(err)
		return
	}
	onMain(func() { b.showWelcome() })
	go b.follow()
}

// fetch loads the allowlist from the API and the toolbar from the portal
// (through the proxy, as the pages are), in parallel.
func (b *browser) fetch() error {
	var (
		wg       sync.WaitGroup
		cfgErr   error
		cfg      *remoteConfig
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
	cfg, cfgErr = b.api.config(cctx)
	wg.Wait()
	if cfgErr != nil {
		return fmt.Errorf("reading settings: %w", cfgErr)
	}
	if tbErr != nil {
		return fmt.Errorf("reading toolbar through the proxy: %w", tbErr)
	}
	list, err := allowlist.Parse([]byte(cfg.AllowlistYAML), "api:"+cfg.AllowlistFile)
	if err != nil {
		// The service validated it; a refusal here means a version skew.
		return fmt.Errorf("parsing the service's allowlist: %w", err)
	}
	b.nav.list.Store(list)
	onMain(func() {
		if !b.toolbar {
			b.toolbar = true
			b.g.init(string(tb))
		}
	})
	return nil
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

// follow keeps a long poll on the service's state and applies each change.
func (b *browser) follow() {
	since := int64(-1)
	for b.ctx.Err() == nil {
		cctx, cancel := context.WithTimeout(b.ctx, 40*time.Second)
		st, err := b.api.state(cctx, since, 25*time.Second)
		cancel()
		if b.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ae *APIError
			if !errors.As(err, &ae) {
				b.unreachable(err)
			} else {
				b.l.Error("reading state", "err", err)
			}
			since = -1
			b.sleep(b.conf.retryPeriod())
			continue
		}
		since = st.Version
		b.setState(st)
	}
}

func (b *browser) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-b.ctx.Done():
	}
}

// setState records st and applies it on the main loop.
func (b *browser) setState(st *State) {
	b.mu.Lock()
	b.state = st
	b.mu.Unlock()
	b.nav.supervised.Store(st.Supervised)
	lang := st.Lang
	b.nav.lang.Store(&lang)
	onMain(func() { b.apply(st) })
}

// apply makes the view follow the service's state (main loop).
func (b *browser) apply(st *State) {
	if b.quitting {
		return
	}
	if st.inSession() && !b.owned {
		b.owned = true
		b.send(msgSession)
	}
	if b.recovering.Load() {
		return
	}
	if b.showing != screenBuiltin && len(st.Raw) > 0 {
		b.g.eval("window.kioskUpdate && window.kioskUpdate(" + string(st.Raw) + ")")
	}
	switch st.State {
	case stateWiping:
		b.finish(nil)
	case stateWelcome, stateUnlock:
		if b.owned {
			b.finish(nil) // the session is over (or the service restarted)
		} else if b.showing == screenPortalDown {
			b.showWelcome()
		}
	case stateEnding:
		if st.AskSatisfaction && !b.endShown {
			b.endShown = true
			b.showing = screenOther
			b.g.navigate(b.nav.portalURL("end"))
		}
	case stateOutOfOrder:
		if b.owned {
			b.finish(nil)
			return
		}
		if b.showing != screenPortalDown {
			b.showing = screenPortalDown
			b.g.navigate(b.nav.portalURL("out-of-order"))
		}
		// The service waits for a wipe report this shell may have failed to
		// send (the service was unreachable then). This process is fresh
		// and unused: end it, so the supervisor wipes and reports again.
		// The delay bounds the loop if the service keeps refusing.
		go func() {
			b.sleep(b.conf.retryPeriod())
			b.mu.Lock()
			still := b.state != nil && b.state.State == stateOutOfOrder
			b.mu.Unlock()
			if still {
				onMain(func() { b.finish(nil) })
			}
		}()
	}
}

// showWelcome loads the welcome page (main loop).
func (b *browser) showWelcome() {
	b.showing = screenWelcome
	b.g.navigate(PortalURL)
}

// showBuiltin shows a page from the shell binary (main loop).
func (b *browser) showBuiltin(html string) {
	b.showing = screenBuiltin
	b.g.setHTML(html)
}

// unreachable shows the built-in out-of-order screen and retries until the
// service answers again. It's safe for concurrent use; a later call while
// retrying shows the screen again (a failed load may have replaced it).
func (b *browser) unreachable(cause error) {
	first := b.recovering.CompareAndSwap(false, true)
	if first {
		b.l.Warn("service unreachable: out of order", "err", cause)
		go b.recover()
	}
	onMain(func() {
		if !b.quitting && b.recovering.Load() {
			b.showBuiltin(outOfOrderPage(false, ""))
			if first {
				b.send(msgOutOfOrder)
			}
		}
	})
}

// recover retries every period until the API and the proxy answer, then
// shows the welcome page again (or ends a session that was open).
func (b *browser) recover() {
	first := true
	for b.ctx.Err() == nil {
		if !first {
			b.sleep(b.conf.retryPeriod())
		}
		first = false
		if err := b.fetch(); err != nil {
			b.l.Debug("still unreachable", "err", err)
			continue
		}
		b.l.Info("service reachable again")
		onMain(func() {
			b.recovering.Store(false)
			if b.owned {
				// The resident's session cannot be trusted to have survived:
				// end this process so that its profile is wiped.
				b.finish(nil)
				return
			}
			b.showWelcome()
		})
		b.mu.Lock()
		following := b.state != nil
		b.mu.Unlock()
		if !following {
			go b.follow()
		}
		return
	}
}

// finish ends the browser process (main loop): the clipboard is emptied
// first, then the main loop stops and RunBrowser returns err.
func (b *browser) finish(err error) {
	if b.quitting {
		return
	}
	b.quitting = true
	b.exitErr = err
	b.l.Info("browser process ending", "err", err)
	b.g.clearClipboard()
	if err == nil {
		b.send(msgExiting) // the supervisor may kill us from now on
	}
	b.g.quit()
}

// send writes one message to the supervisor (no-op without one).
func (b *browser) send(msg string) {
	b.pipeMu.Lock()
	defer b.pipeMu.Unlock()
	if b.pipeOut != nil {
		_, _ = b.pipeOut.WriteString(msg + "\n")
	}
}

// startPipe answers the supervisor's heartbeat from the main loop, so a hung
// main loop goes unanswered. Without a supervisor it does nothing.
func (b *browser) startPipe() {
	if !b.conf.Heartbeat {
		return
	}
	in, out := os.NewFile(3, "heartbeat-in"), os.NewFile(4, "heartbeat-out")
	b.pipeOut = out
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := in.Read(buf); err != nil {
				// The supervisor is gone: nobody will wipe after us, stop.
				onMain(func() { b.finish(nil) })
				return
			}
			onMain(func() {
				b.send(msgPong)
				b.checkResponsive()
			})
		}
	}()
}

// hungPage is how long the page may leave a trivial script unanswered (a
// page in an endless loop freezes the toolbar too) before its web process
// is terminated: the session then ends as a crash and a new browser process
// starts.
const hungPage = 15 * time.Second

// checkResponsive sends a probe script to the page on each heartbeat and
// terminates a web process that has left one unanswered for hungPage (main
// loop). A load resets the probe: a navigation may drop it.
func (b *browser) checkResponsive() {
	if b.quitting {
		return
	}
	if b.probeSent.IsZero() {
		b.probeSent = time.Now()
		b.g.probe()
		return
	}
	if time.Since(b.probeSent) > hungPage {
		b.l.Error("web process hung: terminating it")
		b.probeSent = time.Time{}
		b.g.terminateWebProcess()
	}
}

// probeDone records the page's answer to a probe (main loop).
func (b *browser) probeDone() { b.probeSent = time.Time{} }

// decide is decide-policy for navigations of any frame and new windows
// (main loop).
func (b *browser) decide(uri string, newWindow bool) (navAction, string) {
	if b.conf.OutOfOrder != "" {
		if uri == "about:blank" && !newWindow {
			return navUse, ""
		}
		return navIgnore, ""
	}
	var act navAction
	var to string
	if newWindow {
		act, to = b.nav.decide(uri, true)
	} else {
		act = frameDecide(uri)
	}
	if act != navUse {
		b.l.Info("navigation refused or redirected", "host", hostOf(uri), "new_window", newWindow)
	}
	return act, to
}

// mainFrame checks a main-frame load as it starts or is redirected (main
// loop).
func (b *browser) mainFrame(uri string) (navAction, string) {
	if b.conf.OutOfOrder != "" {
		if uri == "about:blank" {
			return navUse, ""
		}
		return navIgnore, ""
	}
	act, to := b.nav.decide(uri, false)
	if act != navUse {
		b.l.Info("page refused", "host", hostOf(uri))
	}
	return act, to
}

// backAllowed reports whether "Retour" may go back to uri: an allowed page
// or a portal page other than the blocked page.
func (b *browser) backAllowed(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil {
		return false
	}
	if isPortal(u) {
		return u.Path != "/blocked" && u.Path != "/" && u.Path != "/end" && u.Path != "/out-of-order"
	}
	act, _ := b.nav.decide(uri, false)
	return act == navUse && (u.Scheme == "http" || u.Scheme == "https")
}

// hostOf returns the host of raw for logs: never the full URL (privacy).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	if u.Host == "" {
		return u.Scheme + ":"
	}
	return u.Hostname()
}

// loadEvent follows the main frame's loads (main loop).
func (b *browser) loadEvent(ev int, uri string) {
	b.probeSent = time.Time{}
	if ev != loadFinished {
		return
	}
	if u, err := url.Parse(uri); err == nil && isPortal(u) && (u.Path == "/" || u.Path == "") && !b.owned {
		b.send(msgReady)
	}
}

// loadFailed handles a failed main-frame load (main loop). It returns true
// to replace WebKit's error page.
func (b *browser) loadFailed(uri, domain string, code int, msg string) bool {
	if domain == "WebKitPolicyError" || (domain == "WebKitNetworkError" && code == 302) {
		return false // a refused download or a cancelled load: the page stays
	}
	b.l.Warn("page failed to load", "host", hostOf(uri), "domain", domain, "code", code, "err", msg)
	go func() {
		cctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
		defer cancel()
		if _, err := b.getPortal(cctx, "toolbar.js"); err != nil {
			b.unreachable(err)
			return
		}
		onMain(func() {
			if !b.quitting && !b.recovering.Load() {
				b.showBuiltin(unavailablePage(b.nav.portalURL("home")))
			}
		})
	}()
	return true
}

// webProcessTerminated ends this browser process as a crash (main loop).
func (b *browser) webProcessTerminated(reason int) {
	b.l.Error("web process terminated", "reason", reason)
	b.finish(ErrCrashed)
}

// input reports the resident's activity, at most every 5 s (main loop).
func (b *browser) input() {
	b.mu.Lock()
	now := time.Now()
	due := now.Sub(b.lastInput) >= 5*time.Second
	if due {
		b.lastInput = now
	}
	b.mu.Unlock()
	if due && b.owned {
		go b.call("/api/session/activity", nil)
	}
}

// downloadRefused logs a refused download: host and type only (main loop).
func (b *browser) downloadRefused(uri, mime string) {
	b.l.Info("download refused", "host", hostOf(uri), "mime", mime)
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
