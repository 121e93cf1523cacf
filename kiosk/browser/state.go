package browser

import (
	"context"
	"errors"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// follow keeps a long poll on the service's state and applies each change.
func (b *Browser) follow() {
	since := int64(-1)
	for b.ctx.Err() == nil {
		cctx, cancel := context.WithTimeout(b.ctx, 40*time.Second)
		st, err := b.api.State(cctx, since, 10*time.Second) // also paces refreshConfig
		cancel()
		if b.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ae *kiosk.APIError
			if !errors.As(err, &ae) {
				b.unreachable(err)
			} else {
				b.l.Error("reading state", "err", err)
			}
			since = -1
			b.mu.Lock()
			b.applied = -1 // a restarted service counts versions from scratch
			b.mu.Unlock()
			b.sleep(b.conf.retryPeriod())
			continue
		}
		since = st.Version
		b.setState(st)
		b.refreshConfig()
	}
}

// setState records st and applies it on the main loop. A state older than
// the one applied last is dropped: the long poll may answer just after an
// action did (unlock, override), and must not undo its supervised sites or
// opened hosts.
func (b *Browser) setState(st *kiosk.State) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st.Version < b.applied {
		b.l.Debug("older state dropped", "version", st.Version, "applied", b.applied)
		return
	}
	b.applied = st.Version
	b.state = st
	// Under b.mu, so that two answers store their policies, and queue their
	// apply, in the order of their versions.
	b.nav.setSession(st.Supervised, st.Overrides)
	lang := st.Lang
	b.nav.lang.Store(&lang)
	b.onMain(func() { b.apply(st) })
}

// apply makes the view follow the service's state (main loop).
func (b *Browser) apply(st *kiosk.State) {
	if b.quitting {
		return
	}
	if st.InSession() && !b.owned {
		b.owned = true
		b.send(kiosk.MsgSession)
		b.startUSB()
	}
	if b.recovering.Load() {
		return
	}
	if b.showing != screenBuiltin && len(st.Raw) > 0 {
		push := string(st.Raw)
		if !toolbarWorld {
			// WebView2: the toolbar's script shares the page's world, where
			// a site's script can hook kioskUpdate; push it only what the
			// toolbar reads (pagestate.go).
			push = pageState(push, true, false)
		}
		b.v.ToolbarEval("window.kioskUpdate && window.kioskUpdate(" + push + ")")
	}
	b.speechState(st)
	switch st.State {
	case kiosk.StateWiping:
		b.finish(nil)
	case kiosk.StateWelcome, kiosk.StateUnlock:
		if b.owned {
			b.finish(nil) // the session is over (or the service restarted)
		} else if b.showing == screenPortalDown {
			b.showWelcome()
		}
	case kiosk.StateEnding:
		if st.AskSatisfaction && !b.endShown {
			b.endShown = true
			b.showing = screenOther
			b.v.Navigate(b.nav.portalURL("end"))
		}
	case kiosk.StateOutOfOrder:
		if b.owned {
			b.finish(nil)
			return
		}
		if b.showing != screenPortalDown {
			b.showing = screenPortalDown
			b.v.Navigate(b.nav.portalURL("out-of-order"))
		}
		// The service waits for a wipe report this shell may have failed to
		// send (the service was unreachable then). This process is fresh
		// and unused: end it, so the supervisor wipes and reports again.
		// The delay bounds the loop if the service keeps refusing.
		go func() {
			b.sleep(b.conf.retryPeriod())
			b.mu.Lock()
			still := b.state != nil && b.state.State == kiosk.StateOutOfOrder
			b.mu.Unlock()
			if still {
				b.onMain(func() { b.finish(nil) })
			}
		}()
	}
}

// showWelcome loads the welcome page (main loop).
func (b *Browser) showWelcome() {
	b.showing = screenWelcome
	b.v.Navigate(kiosk.PortalURL)
}

// showBuiltin shows a page from the shell binary (main loop).
func (b *Browser) showBuiltin(html string) {
	b.showing = screenBuiltin
	b.v.LoadHTML(html)
}

// unreachable shows the built-in out-of-order screen and retries until the
// service answers again. It's safe for concurrent use; a later call while
// retrying shows the screen again (a failed load may have replaced it).
func (b *Browser) unreachable(cause error) {
	first := b.recovering.CompareAndSwap(false, true)
	if first {
		b.l.Warn("service unreachable: out of order", "err", cause)
		go b.recover()
	}
	b.onMain(func() {
		if !b.quitting && b.recovering.Load() {
			b.showBuiltin(outOfOrderPage(false, ""))
			if first {
				b.send(kiosk.MsgOutOfOrder)
			}
		}
	})
}

// recover retries every period until the API and the proxy answer, then
// shows the welcome page again (or ends a session that was open).
func (b *Browser) recover() {
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
		b.onMain(func() {
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
