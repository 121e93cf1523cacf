package browser

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// platform has the browser's fields that only WebKitGTK's code uses.
type platform struct {
	g WebKit // the view (b.v), for its WebKit-only calls
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
	// disp is the session's zoom, contrast and pointer (display_linux.go;
	// main).
	disp display
	// usb is the session's USB key (usb_linux.go; main).
	usb usbSession
	// spk is the session's read-aloud (speak_linux.go; main).
	spk readAloud
}

// toolbarWorld: WebKitGTK runs the toolbar in a script world of its own
// (kiosk_toolbar), so the toolbar's calls are told from the pages'.
const toolbarWorld = true

// WebKit is the view on Linux (kiosk/browser/webkit): View, and the calls
// only WebKitGTK offers.
type WebKit interface {
	View
	// Bind binds the page's function name to BindingCall with index.
	Bind(name string, index int)
	// MainStatus is the HTTP status of the main frame's committed document.
	MainStatus() int
	// Probe sends the page a trivial script; its answer calls ProbeDone.
	Probe()
	// TerminateWebProcess kills the web process (a hung page).
	TerminateWebProcess()
	// SetPrinter names the CUPS queue that prints without a dialog; empty
	// refuses every print.
	SetPrinter(name string)
	// PrintPage prints the page; the outcome calls PrintPDF (the PDF
	// WebKit made) and PrintFinished.
	PrintPage()
	// AnswerChooser answers the page's open file chooser with path and
	// reports whether one was open.
	AnswerChooser(path string) bool
}

// Attach makes g this browser's view (before the main loop runs): the
// printer is set and every binding bound.
func (b *Browser) Attach(g WebKit) {
	b.g, b.v = g, g
	if b.conf.NoSandbox && b.conf.OutOfOrder == "" {
		b.l.Warn("web processes run without their sandbox (--no-sandbox)")
	}
	if b.conf.OutOfOrder == "" {
		g.SetPrinter(b.conf.Printer)
	}
	b.spk.sinkDir = speechSinkDir()
	b.bindAll()
}

// bindAll binds every function of bindingNames, with its index as id
// (before the main loop runs).
func (b *Browser) bindAll() {
	for i, name := range bindingNames {
		b.g.Bind(name, i)
	}
}

// BindingCall answers one call from the page (main loop): req is the JSON
// array of its arguments, index its binding's. The calling page is the
// committed document: the view's URI may already be a provisional load (a
// site's script could start a load of the portal and call at once).
func (b *Browser) BindingCall(seq, req string, index int) {
	if index < 0 || index >= len(bindingNames) || strings.HasPrefix(seq, toolbarCall) {
		b.v.Reply(seq, false, jsonString("unknown binding"))
		return
	}
	var args []json.RawMessage
	_ = json.Unmarshal([]byte(req), &args)
	b.binding(seq, bindingNames[index], b.committed, args)
}

// pageStatus is the HTTP status of the calling page, the committed
// document (main loop).
func (b *Browser) pageStatus(string) int { return b.committedStatus }

// ToolbarMessage takes a call of the toolbar, from its own script world
// (main loop): {"id", "name", "args"}; "_untrusted" reports a press that a
// script made, which the toolbar ignored.
func (b *Browser) ToolbarMessage(msg string) {
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
