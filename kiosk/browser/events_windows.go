package browser

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// platform has the browser's fields that only WebView2's code uses.
type platform struct {
	w     WebView2  // the view (b.v), for its WebView2-only calls
	probe time.Time // main: when the unanswered probe was sent
	page  string    // main: the calling page of the last binding
	// builtinPending lets the next about:blank or data: navigation
	// through: the built-in screen the shell asked for (main).
	builtinPending bool
}

// WebView2 is the view on Windows (kiosk/browser/webview2): View, and the
// calls only WebView2 offers.
type WebView2 interface {
	View
	// BindRaw binds the guard script's one raw function, name, to f.
	BindRaw(name string, f func(id, name, page string, args []json.RawMessage)) error
	// Source is the URI of the view's top-level document as WebView2 says
	// it, "" without WebView2's hooks.
	Source() string
}

// Attach makes v this browser's view (before the main loop runs): the
// guard script's call is bound and the guard script installed.
func (b *Browser) Attach(v WebView2) error {
	b.w, b.v = v, v
	return b.bindAll()
}

// Quitting reports whether the browser ended its main loop itself (main).
func (b *Browser) Quitting() bool { return b.quitting }

// BuiltinLoading tells that the view is about to show a built-in page
// (NavigateToString): its navigation is let through once (MainFrame), and
// the probe starts afresh (main).
func (b *Browser) BuiltinLoading() {
	b.probe = time.Time{}
	b.builtinPending = true
}

// HomeURL is the session's start page ("Retour" with no history).
func (b *Browser) HomeURL() string { return b.nav.portalURL("home") }

// MainFrame decides a main-frame navigation (window thread): WebView2's
// NavigationStarting, this platform's decide-policy (docs/shell.md). A
// built-in screen (SetHtml: NavigateToString) is not an http(s) navigation
// (its URI, about:blank or data:, is not documented): the first non-http(s)
// one after the shell asked for a screen is let through.
func (b *Browser) MainFrame(uri string) (NavAction, string) {
	lower := strings.ToLower(uri)
	if b.builtinPending && !strings.HasPrefix(lower, "http:") && !strings.HasPrefix(lower, "https:") {
		b.builtinPending = false
		return NavUse, ""
	}
	if b.conf.OutOfOrder != "" {
		return NavIgnore, ""
	}
	act, to := b.nav.decide(uri, false)
	if act != NavUse {
		b.l.Info("page refused", "host", hostOf(uri))
	}
	return act, to
}

// FrameAllowed reports whether a frame may navigate to uri
// (FrameNavigationStarting): the schemes no frame may load (file:,
// data:...) are refused in any frame.
func (b *Browser) FrameAllowed(uri string) bool {
	if b.conf.OutOfOrder != "" || frameDecide(uri) != NavUse {
		b.l.Info("frame navigation refused", "host", hostOf(uri))
		return false
	}
	return true
}

// NewWindow decides a new window (NewWindowRequested), which never opens:
// an allowed URL loads in the same view, another one shows the blocked
// page (NavRedirect).
func (b *Browser) NewWindow(uri string) (NavAction, string) {
	if b.conf.OutOfOrder != "" {
		return NavIgnore, ""
	}
	return b.nav.decide(uri, true)
}

// DownloadRefused logs a refused download of the page shown: its host only.
func (b *Browser) DownloadRefused(page string) {
	b.l.Info("download refused", "host", hostOf(page))
}

// WindowClosed handles a window closed under the shell (Alt+F4 where the
// Keyboard Filter does not block it): the session, if any, ends, and this
// process exits so that its profile is wiped. The caller empties the
// clipboard.
func (b *Browser) WindowClosed() {
	b.l.Warn("window closed: ending the session")
	if b.owned {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := b.api.Post(cctx, "/api/session/end", map[string]any{"reason": "user"}); err != nil {
			b.l.Warn("ending the session", "err", err)
		}
	}
}
