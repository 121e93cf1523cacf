//go:build webview

package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	webview "github.com/webview/webview_go"
)

// platform has the browser's fields that only WebView2's code uses.
type platform struct {
	w     webview.WebView // the window and view under b.v
	probe time.Time       // main: when the unanswered probe was sent
	page  string          // main: the calling page of the last binding
	// native has the WebView2 hooks; nil if they could not be installed.
	native *native
	// builtinPending lets the next about:blank or data: navigation
	// through: the built-in screen the shell asked for (main).
	builtinPending bool
}

// RunBrowser runs one browser process until its session is over. It must be
// called on the main goroutine (webview_go locks it to the main thread).
func RunBrowser(conf *BrowserConfig) error {
	b, err := newBrowser(conf)
	if err != nil {
		return err
	}
	defer b.cancel()
	var in *os.File
	if conf.Heartbeat {
		var job uintptr
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
	b.v = webview2View{b}
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
	b.begin()
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

// webview2View is the browser's view on Windows: webview_go's WebView2
// window, with the WebView2-only state of b.
type webview2View struct{ b *browser }

var _ view = webview2View{}

func (v webview2View) dispatch(f func())     { v.b.w.Dispatch(f) }
func (v webview2View) navigate(uri string)   { v.b.w.Navigate(uri) }
func (v webview2View) toolbar(js string)     { v.b.w.Init(js) }
func (v webview2View) toolbarEval(js string) { v.b.w.Eval(js) }
func (v webview2View) eval(js string)        { v.b.w.Eval(js) }
func (v webview2View) quit()                 { v.b.w.Terminate() }
func (v webview2View) clearClipboard()       { clearClipboard(uintptr(v.b.w.Window())) }

// loadHTML shows a built-in page (NavigateToString): its navigation is
// let through once (mainFrame), and the probe starts afresh.
func (v webview2View) loadHTML(html string) {
	v.b.probe = time.Time{}
	v.b.builtinPending = true
	v.b.w.SetHtml(html)
}

// reply settles the page's Promise id with resultJSON (any goroutine).
func (v webview2View) reply(id string, ok bool, resultJSON string) {
	js := fmt.Sprintf("window.__kioskReply && window.__kioskReply(%s, %t, %s)", jsonString(id), ok, resultJSON)
	v.dispatch(func() { v.b.w.Eval(js) })
}

// goBack goes back in the page's history, or loads the session's start
// page when there is none; it always reports true.
func (v webview2View) goBack() bool {
	home, _ := json.Marshal(v.b.nav.portalURL("home"))
	v.b.w.Eval("history.length > 1 ? history.back() : location.assign(" + string(home) + ")")
	return true
}
