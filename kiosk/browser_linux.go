//go:build webview && linux

package kiosk

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"time"
)

// platform has the browser's fields that only WebKitGTK's code uses.
type platform struct {
	g *gui // the view (b.v), for its WebKit-only calls
	// probeSent is when the unanswered probe script was sent (main).
	probeSent time.Time
	// committed is the URI of the main frame's committed document (main):
	// bindings judge the page that called by it, not by a provisional load.
	committed       string
	committedStatus int // main: its HTTP status
	// print is the session's printing (print_linux.go; main).
	print printer
	// docs are the session's scanned documents (scan_linux.go; main).
	docs documents
}

// toolbarWorld: WebKitGTK runs the toolbar in a script world of its own
// (kiosk_toolbar), so the toolbar's calls are told from the pages'.
const toolbarWorld = true

// RunBrowser runs one browser process until its session is over. It must be
// called on the main goroutine (webview_go locks it to the main thread).
func RunBrowser(conf *BrowserConfig) error {
	b, err := newBrowser(conf)
	if err != nil {
		return err
	}
	defer b.cancel()
	theBrowser = b
	if conf.NoSandbox && conf.OutOfOrder == "" {
		b.l.Warn("web processes run without their sandbox (--no-sandbox)")
	}
	b.g = newGUI(proxyURL(conf.ProxyAddr).String(), conf.Windowed, !conf.NoSandbox)
	if b.g == nil {
		return errors.New("cannot open the display (is DISPLAY or WAYLAND_DISPLAY set?)")
	}
	b.v = b.g
	if conf.OutOfOrder == "" {
		b.g.setPrinter(conf.Printer)
	}
	b.bindAll()
	var in *os.File
	if conf.Heartbeat {
		in, b.pipeOut = os.NewFile(3, "heartbeat-in"), os.NewFile(4, "heartbeat-out")
	}
	b.startPipe(in)
	startControl(b)
	b.begin()
	b.g.run()
	b.cancel()
	return b.exitErr
}

// bindAll binds every function of bindingNames, with its index as id
// (before the main loop runs).
func (b *browser) bindAll() {
	for i, name := range bindingNames {
		b.g.bind(name, i)
	}
}

// bindingCall answers one call from the page (main loop): req is the JSON
// array of its arguments, index its binding's. The calling page is the
// committed document: the view's URI may already be a provisional load (a
// site's script could start a load of the portal and call at once).
func (b *browser) bindingCall(seq, req string, index int) {
	if index < 0 || index >= len(bindingNames) || strings.HasPrefix(seq, toolbarCall) {
		b.g.reply(seq, false, jsonString("unknown binding"))
		return
	}
	var args []json.RawMessage
	_ = json.Unmarshal([]byte(req), &args)
	b.binding(seq, bindingNames[index], b.committed, args)
}

// pageStatus is the HTTP status of the calling page, the committed
// document (main loop).
func (b *browser) pageStatus(string) int { return b.committedStatus }

// toolbarMessage takes a call of the toolbar, from its own script world
// (main loop): {"id", "name", "args"}; "_untrusted" reports a press that a
// script made, which the toolbar ignored.
func (b *browser) toolbarMessage(msg string) {
	var m struct {
		ID   string            `json:"id"`
		Name string            `json:"name"`
		Args []json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal([]byte(msg), &m); err != nil || m.ID == "" {
		b.l.Warn("toolbar: bad message", "err", err)
		return
	}
	switch {
	case m.Name == "_untrusted":
		b.l.Warn("toolbar: a press not made by the resident ignored", "host", hostOf(b.committed))
	case !slices.Contains(bindingNames, m.Name):
		b.reply(toolbarCall+m.ID, false, jsonString("unknown binding"))
	default:
		b.binding(toolbarCall+m.ID, m.Name, b.committed, m.Args)
	}
}
