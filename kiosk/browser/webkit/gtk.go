//go:build webview && linux

package webkit

/*
#cgo pkg-config: gtk+-3.0 webkit2gtk-4.0
#include <stdlib.h>
#include "gtk.h"
*/
import "C"

import (
	"errors"
	"os"
	"sync"
	"unsafe"

	"github.com/communes/kiosk/kiosk/browser"

	// The C++ implementation of webview; the shell calls its C API.
	_ "github.com/webview/webview_go"
)

// The browser process has one window, one view: the C callbacks reach it
// through these package-level pointers, set once before the main loop runs.
var (
	theBrowser *browser.Browser
	theGUI     *gui
)

// Run runs one browser process, kiosk-browser on Linux, until its session
// is over: the WebKitGTK view of conf's browser.Browser. It must be called
// on the main goroutine (webview_go locks it to the main thread). It
// returns browser.ErrCrashed for a crash.
func Run(conf *browser.Config) error {
	b, err := browser.New(conf)
	if err != nil {
		return err
	}
	theBrowser = b
	g := newGUI("http://"+conf.ProxyAddr, conf.Windowed, !conf.NoSandbox)
	if g == nil {
		_ = b.Done()
		return errors.New("cannot open the display (is DISPLAY or WAYLAND_DISPLAY set?)")
	}
	theGUI = g
	b.Attach(g)
	var in, out *os.File
	if conf.Heartbeat {
		in, out = os.NewFile(3, "heartbeat-in"), os.NewFile(4, "heartbeat-out")
	}
	startControl(b)
	b.Begin(in, out)
	g.run()
	return b.Done()
}

//export goDecide
func goDecide(uri *C.char, newWindow C.int, redirect **C.char) C.int {
	act, to := theBrowser.Decide(C.GoString(uri), newWindow != 0)
	return navResult(act, to, redirect)
}

//export goMainFrame
func goMainFrame(uri *C.char, redirect **C.char) C.int {
	act, to := theBrowser.MainFrame(C.GoString(uri))
	return navResult(act, to, redirect)
}

//export goBackAllowed
func goBackAllowed(uri *C.char) C.int { return boolInt(theBrowser.BackAllowed(C.GoString(uri))) }

// navResult returns 0 to let a navigation go on, 1 to stop it; *redirect
// gets the URL to load instead (freed by C).
func navResult(act browser.NavAction, to string, redirect **C.char) C.int {
	if act == browser.NavRedirect && to != "" {
		*redirect = C.CString(to)
	}
	if act == browser.NavUse {
		return 0
	}
	return 1
}

//export goLoadEvent
func goLoadEvent(ev C.int, uri *C.char) {
	theBrowser.LoadEvent(int(ev), C.GoString(uri))
}

//export goLoadFailed
func goLoadFailed(uri, domain *C.char, code C.int, msg *C.char) C.gboolean {
	if theBrowser.LoadFailed(C.GoString(uri), C.GoString(domain), int(code), C.GoString(msg)) {
		return C.TRUE
	}
	return C.FALSE
}

//export goWebProcessTerminated
func goWebProcessTerminated(reason C.int) { theBrowser.WebProcessTerminated(int(reason)) }

//export goProbeDone
func goProbeDone() { theBrowser.ProbeDone() }

//export goInput
func goInput() { theBrowser.Input() }

//export goDownloadRefused
func goDownloadRefused(uri, mime *C.char) {
	theBrowser.DownloadRefused(C.GoString(uri), C.GoString(mime))
}

//export goPrint
func goPrint() C.int { return boolInt(theBrowser.PrintRequested()) }

//export goPrintFailed
func goPrintFailed(msg *C.char) { theBrowser.PrintFailed(C.GoString(msg)) }

//export goPrintPDF
func goPrintPDF(data *C.guchar, n C.gsize, errMsg *C.char) {
	var pdf []byte
	if data != nil {
		pdf = C.GoBytes(unsafe.Pointer(data), C.int(n))
	}
	var e string
	if errMsg != nil {
		e = C.GoString(errMsg)
	}
	theBrowser.PrintPDF(pdf, e)
}

//export goPrintFinished
func goPrintFinished(failed C.int) { theBrowser.PrintFinished(failed != 0) }

//export goToolbarMessage
func goToolbarMessage(msg *C.char) { theBrowser.ToolbarMessage(C.GoString(msg)) }

//export goFileChooser
func goFileChooser(accept *C.char) { theBrowser.FileChooser(C.GoString(accept)) }

//export goEvalDone
func goEvalDone(id C.long, json, errMsg *C.char) {
	var res, e string
	if json != nil {
		res = C.GoString(json)
	}
	if errMsg != nil {
		e = C.GoString(errMsg)
	}
	evalDone(int64(id), res, e)
}

//export goBinding
func goBinding(seq, req *C.char, index C.long) {
	theBrowser.BindingCall(C.GoString(seq), C.GoString(req), int(index))
}

// Dispatching Go functions onto the GTK main loop.
var (
	dispatchMu   sync.Mutex
	dispatchNext int64
	dispatchFns  = map[int64]func(){}
)

//export goDispatch
func goDispatch(id C.long) {
	dispatchMu.Lock()
	f := dispatchFns[int64(id)]
	delete(dispatchFns, int64(id))
	dispatchMu.Unlock()
	if f != nil {
		f()
	}
}

// onMain runs f on the GTK main loop. It's safe for concurrent use.
func onMain(f func()) {
	dispatchMu.Lock()
	dispatchNext++
	id := dispatchNext
	dispatchFns[id] = f
	dispatchMu.Unlock()
	C.kiosk_dispatch(C.long(id))
}

// gui wraps the webview and its WebKitWebView: the browser's view on
// Linux. Its methods must be called on the main loop (or before it runs),
// except dispatch and reply.
type gui struct {
	w    C.webview_t
	view *C.WebKitWebView
}

// newGUI creates the window and the view, with the proxy and the handlers.
// With sandbox, WebKit runs its web processes (which parse and run the
// sites' content) under bubblewrap: they see no file of the kiosk's, not
// the API token, the usage store nor the other sessions' profiles. The
// choice must be made before the view spawns any process. It returns nil
// when GTK cannot open the display.
func newGUI(proxyURL string, windowed, sandbox bool) *gui {
	if sandbox {
		C.kiosk_sandbox()
	}
	w := C.webview_create(0, nil)
	if w == nil {
		return nil
	}
	p := C.CString(proxyURL)
	defer C.free(unsafe.Pointer(p))
	win := (*C.GtkWidget)(C.webview_get_window(w))
	view := C.kiosk_setup(win, p, boolInt(windowed))
	return &gui{w: w, view: view}
}

var _ browser.WebKit = (*gui)(nil)

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func (g *gui) Navigate(uri string) {
	s := C.CString(uri)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_load(g.view, s)
}

func (g *gui) LoadHTML(html string) {
	s := C.CString(html)
	defer C.free(unsafe.Pointer(s))
	C.webview_set_html(g.w, s)
}

// Toolbar installs the toolbar's script in its own world (every page).
func (g *gui) Toolbar(js string) {
	s := C.CString(js)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_toolbar(g.view, s)
}

// ToolbarEval runs js in the toolbar's world of the page shown.
func (g *gui) ToolbarEval(js string) {
	s := C.CString(js)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_toolbar_eval(g.view, s)
}

func (g *gui) Eval(js string) {
	s := C.CString(js)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_page_eval(g.view, s)
}

func (g *gui) evalAsync(js string, id int64) {
	s := C.CString(js)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_eval(g.view, s, C.long(id))
}

func (g *gui) Bind(name string, index int) {
	s := C.CString(name)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_bind(g.w, s, C.long(index))
}

// Dispatch runs f on the GTK main loop. It's safe for concurrent use.
func (g *gui) Dispatch(f func()) { onMain(f) }

// Reply answers a binding call; it may be called from any goroutine. It
// settles the promise webview's bound function returned (window._rpc, the
// script of webview_bind) as webview_return would, but evaluates it
// through WebKit directly: webview_return does nothing where the
// libwebkit2gtk -dev package is not installed (gtk.h), that is on every
// installed kiosk.
func (g *gui) Reply(seq string, ok bool, resultJSON string) {
	onMain(func() { g.Eval(replyJS(seq, ok, resultJSON)) })
}

func (g *gui) uri() string {
	u := C.kiosk_uri(g.view)
	if u == nil {
		return ""
	}
	return C.GoString(u)
}

// MainStatus is the HTTP status of the committed document (0 if none).
func (g *gui) MainStatus() int { return int(C.kiosk_main_status(g.view)) }

// SetPrinter names the CUPS queue that prints; "" refuses every print.
func (g *gui) SetPrinter(name string) {
	s := C.CString(name)
	defer C.free(unsafe.Pointer(s))
	C.kiosk_set_printer(s)
}

// PrintPage prints the page shown on the printer, without a dialog.
func (g *gui) PrintPage() { C.kiosk_print(g.view) }

// AnswerChooser gives path to the page's pending file chooser ("" cancels
// it); false when none is pending.
func (g *gui) AnswerChooser(path string) bool {
	if path == "" {
		return C.kiosk_chooser_answer(nil) != 0
	}
	s := C.CString(path)
	defer C.free(unsafe.Pointer(s))
	return C.kiosk_chooser_answer(s) != 0
}

func (g *gui) GoBack() bool         { return C.kiosk_go_back(g.view) != 0 }
func (g *gui) TerminateWebProcess() { C.kiosk_terminate_web_process(g.view) }
func (g *gui) Probe()               { C.kiosk_probe(g.view) }
func (g *gui) ClearClipboard()      { C.kiosk_clear_clipboard() }
func (g *gui) run()                 { C.webview_run(g.w) }
func (g *gui) Quit()                { C.webview_terminate(g.w) }
func (g *gui) destroy()             { C.webview_destroy(g.w) }
