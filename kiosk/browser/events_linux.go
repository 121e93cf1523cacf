package browser

import (
	"context"
	"net/url"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// hungPage is how long the page may leave a trivial script unanswered (a
// page in an endless loop freezes the toolbar too) before its web process
// is terminated: the session then ends as a crash and a new browser process
// starts. A PC answers within milliseconds; a slow one laying out a heavy
// page, or a virtual PC without KVM, took over 15 s, and ending a
// resident's session for that loses their work.
const hungPage = 45 * time.Second

// firstLoadGrace replaces hungPage until this process's first document
// has committed: the web process is still starting (its sandbox, fonts),
// which took 15 to 40 s on a virtual PC without KVM. The supervisor's
// own start grace bounds the process as a whole.
const firstLoadGrace = 2 * time.Minute

// checkResponsive sends a probe script to the page on each heartbeat and
// terminates a web process that has left one unanswered for hungPage (main
// loop). A load resets the probe: a navigation may drop it.
func (b *Browser) checkResponsive() {
	if b.quitting {
		return
	}
	if b.probeSent.IsZero() {
		b.probeSent = time.Now()
		b.g.Probe()
		return
	}
	limit := hungPage
	if b.conf.HungPage > 0 {
		limit = b.conf.HungPage
	}
	if b.committed == "" {
		limit = firstLoadGrace
	}
	if silent := time.Since(b.probeSent); silent > limit {
		b.l.Error("web process hung: terminating it", "silent", silent.Round(time.Second), "first_load", b.committed == "")
		b.probeSent = time.Time{}
		b.g.TerminateWebProcess()
	}
}

// ProbeDone records the page's answer to a probe (main loop).
func (b *Browser) ProbeDone() { b.probeSent = time.Time{} }

// Decide is decide-policy (gtk.c's on_decide_policy and on_create) for
// navigations of any frame, which WebKitGTK does not name: only the
// schemes are checked here; and for new windows, which never open: the
// allowlist decides what loads in the view (main loop).
func (b *Browser) Decide(uri string, newWindow bool) (NavAction, string) {
	if b.conf.OutOfOrder != "" {
		if uri == "about:blank" && !newWindow {
			return NavUse, ""
		}
		return NavIgnore, ""
	}
	var act NavAction
	var to string
	if newWindow {
		act, to = b.nav.decide(uri, true)
	} else {
		act = frameDecide(uri)
	}
	if act != NavUse {
		b.l.Info("navigation refused or redirected", "host", hostOf(uri), "new_window", newWindow)
	} else {
		b.l.Debug("navigation allowed", "host", hostOf(uri), "new_window", newWindow)
	}
	return act, to
}

// MainFrame checks a main-frame load against the allowlist as it starts
// (notify::uri) and at its main resource's response, after every redirect
// (decide-policy RESPONSE): where a page is allowed (main loop).
func (b *Browser) MainFrame(uri string) (NavAction, string) {
	if b.conf.OutOfOrder != "" {
		if uri == "about:blank" {
			return NavUse, ""
		}
		return NavIgnore, ""
	}
	act, to := b.nav.decide(uri, false)
	if act != NavUse {
		b.l.Info("page refused", "host", hostOf(uri))
	}
	return act, to
}

// BackAllowed reports whether "Retour" may go back to uri: an allowed page
// or a portal page other than the blocked page.
func (b *Browser) BackAllowed(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil {
		return false
	}
	if isPortal(u) {
		return u.Path != "/blocked" && u.Path != "/" && u.Path != "/end" && u.Path != "/out-of-order"
	}
	act, _ := b.nav.decide(uri, false)
	return act == NavUse && (u.Scheme == "http" || u.Scheme == "https")
}

// LoadEvent follows the main frame's loads (main loop).
func (b *Browser) LoadEvent(ev int, uri string) {
	b.l.Debug("page load", "event", ev, "host", hostOf(uri))
	b.probeSent = time.Time{}
	if ev == LoadCommitted {
		b.committed, b.committedStatus = uri, b.g.MainStatus()
		b.closeDocuments()           // a chooser of the page that went
		b.stopSpeech("page changed") // what was read was the page that went
	}
	b.pushDisplay() // the new page's toolbar (display_linux.go)
	b.pushSpeech()  // its "Écouter" (speak_linux.go)
	if ev != LoadFinished {
		return
	}
	if u, err := url.Parse(uri); err == nil && isPortal(u) && (u.Path == "/" || u.Path == "") && !b.owned {
		b.send(kiosk.MsgReady)
	}
}

// LoadFailed handles a failed main-frame load (main loop). It returns true
// to replace WebKit's error page.
func (b *Browser) LoadFailed(uri, domain string, code int, msg string) bool {
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
		b.onMain(func() {
			if !b.quitting && !b.recovering.Load() {
				b.showBuiltin(unavailablePage(b.nav.portalURL("home")))
			}
		})
	}()
	return true
}

// WebProcessTerminated ends this browser process as a crash (main loop).
func (b *Browser) WebProcessTerminated(reason int) {
	b.l.Error("web process terminated", "reason", reason)
	b.finish(ErrCrashed)
}

// Input records the resident's input event and reports the activity, at
// most every 5 s (main loop).
func (b *Browser) Input() {
	now := time.Now()
	b.lastGesture = now
	b.mu.Lock()
	due := now.Sub(b.lastInput) >= 5*time.Second
	if due {
		b.lastInput = now
	}
	b.mu.Unlock()
	if due && b.owned {
		go b.call("/api/session/activity", nil)
	}
}

// DownloadRefused logs a refused download: host and type only (main loop).
func (b *Browser) DownloadRefused(uri, mime string) {
	b.l.Info("download refused", "host", hostOf(uri), "mime", mime)
}

// residentActed reports whether GTK saw the resident touch, click, scroll
// or type in the view within gestureWindow (main loop). Page scripts cannot
// make such events: synthetic DOM events never reach the toolkit.
func (b *Browser) residentActed() bool {
	return !b.lastGesture.IsZero() && time.Since(b.lastGesture) < gestureWindow
}

// Load events of the main frame (LoadEvent).
const (
	LoadCommitted = 1 // a document committed (its URI is the page's now)
	LoadFinished  = 2 // the document finished loading
)
