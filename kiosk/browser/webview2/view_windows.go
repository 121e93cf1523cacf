//go:build webview

package webview2

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	webview "github.com/webview/webview_go"

	"github.com/communes/kiosk/kiosk/browser"
)

// Run runs one browser process, kiosk-browser on Windows, until its
// session is over: the WebView2 view of conf's browser.Browser. It must be
// called on the main goroutine (webview_go locks it to the main thread).
// It returns browser.ErrCrashed for a crash.
func Run(conf *browser.Config) error {
	b, err := browser.New(conf)
	if err != nil {
		return err
	}
	defer b.Done()
	var in, out *os.File
	if conf.Heartbeat {
		var job uintptr
		in, out, job, err = browser.Handles()
		if err != nil {
			return err
		}
		if err := browser.JoinJob(job); err != nil {
			// WebView2's processes may then outlive this one: the wipe
			// fails and the terminal goes out of order, never unsafe.
			b.Logger().Warn("browser processes not grouped", "err", err)
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
	v := &view{w: w, b: b}
	if err := checkUserData(userData, 3*time.Second); err != nil {
		return err // never a view on a shared profile
	}
	setupWindow(w, conf.Windowed, b)
	if err := b.Attach(v); err != nil {
		return err
	}
	if err := v.attachNative(); err != nil {
		b.Logger().Error("WebView2 hooks not installed: the proxy and the guard script only", "err", err)
	}
	b.Begin(in, out)
	w.Run()
	if !b.Quitting() {
		b.WindowClosed()
		clearClipboard(0) // the window is gone: no owner
	}
	return b.Done()
}

// setupWindow makes the window fullscreen on its monitor, or a normal
// window with --windowed (main).
func setupWindow(w webview.WebView, windowed bool, b *browser.Browser) {
	w.SetTitle("Kiosk")
	if windowed {
		w.SetSize(1280, 800, webview.HintNone)
		return
	}
	if err := fullscreen(uintptr(w.Window())); err != nil {
		b.Logger().Error("going fullscreen", "err", err)
	}
}

// view is the browser's view on Windows: webview_go's WebView2 window,
// with WebView2's hooks (native_windows.go) when they could be installed.
type view struct {
	w webview.WebView
	b *browser.Browser
	// native has the WebView2 hooks; nil if they could not be installed.
	native *native
}

var _ browser.WebView2 = (*view)(nil)

func (v *view) Dispatch(f func())     { v.w.Dispatch(f) }
func (v *view) Navigate(uri string)   { v.w.Navigate(uri) }
func (v *view) Toolbar(js string)     { v.w.Init(js) }
func (v *view) ToolbarEval(js string) { v.w.Eval(js) }
func (v *view) Eval(js string)        { v.w.Eval(js) }
func (v *view) Quit()                 { v.w.Terminate() }
func (v *view) ClearClipboard()       { clearClipboard(uintptr(v.w.Window())) }

// BindRaw binds the guard script's raw call.
func (v *view) BindRaw(name string, f func(id, name, page string, args []json.RawMessage)) error {
	return v.w.Bind(name, f)
}

// Source is the top-level document's URI as WebView2 says it.
func (v *view) Source() string {
	if v.native == nil {
		return ""
	}
	return v.native.source()
}

// LoadHTML shows a built-in page (NavigateToString): its navigation is
// let through once (MainFrame), and the probe starts afresh.
func (v *view) LoadHTML(html string) {
	v.b.BuiltinLoading()
	v.w.SetHtml(html)
}

// Reply settles the page's Promise id with resultJSON (any goroutine).
func (v *view) Reply(id string, ok bool, resultJSON string) {
	idJSON, _ := json.Marshal(id)
	js := fmt.Sprintf("window.__kioskReply && window.__kioskReply(%s, %t, %s)", idJSON, ok, resultJSON)
	v.Dispatch(func() { v.w.Eval(js) })
}

// GoBack goes back in the page's history, or loads the session's start
// page when there is none; it always reports true.
func (v *view) GoBack() bool {
	home, _ := json.Marshal(v.b.HomeURL())
	v.w.Eval("history.length > 1 ? history.back() : location.assign(" + string(home) + ")")
	return true
}
