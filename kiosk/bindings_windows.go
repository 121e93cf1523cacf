//go:build webview

package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// bindingNames are the JS functions the portal and the toolbar call
// (docs/api.md, "Shell bindings"), defined by the guard script.
var bindingNames = []string{
	"kioskState", "kioskStart", "kioskEnd", "kioskHome", "kioskBack",
	"kioskHelp", "kioskContinue", "kioskSatisfaction", "kioskActivity",
	"kioskUnlock", "kioskOverride",
}

// How long the page may leave the probe unanswered: after stuckPage the
// built-in "page unavailable" screen replaces it (WebView2's own error
// pages run no script and have no toolbar); after hungPage this process
// ends as a crash.
const (
	stuckPage = 8 * time.Second
	hungPage  = 15 * time.Second
)

// bindAll binds the raw call and installs the guard script (before the
// main loop runs; the toolbar comes after it).
func (b *browser) bindAll() error {
	if err := b.w.Bind(rawBinding, b.rawCall); err != nil {
		return fmt.Errorf("binding %s: %w", rawBinding, err)
	}
	b.w.Init(guardScript())
	return nil
}

// rawCall receives every call of the guard script (main): id settles the
// page's Promise, page is the calling document's URL.
func (b *browser) rawCall(id, name, page string, args []json.RawMessage) {
	if b.native != nil {
		// WebView2's own word on the top-level document beats the page's.
		page = b.native.source()
	}
	b.page = page
	switch name {
	case "_probe":
		b.probe = time.Time{}
	case "_loaded":
		b.probe = time.Time{}
		if u, err := url.Parse(page); err == nil && isPortal(u) && (u.Path == "/" || u.Path == "") && !b.owned {
			b.send(msgReady)
		}
	default:
		b.binding(id, name, page, args)
	}
}

// binding answers one documented binding (main). Calls to the API run on
// their own goroutine and answer later, so the window never waits.
func (b *browser) binding(id, name, page string, args []json.RawMessage) {
	str := func(i int) string {
		var s string
		if i < len(args) {
			_ = json.Unmarshal(args[i], &s)
		}
		return s
	}
	if b.conf.OutOfOrder != "" {
		b.reply(id, false, jsonString("out of order"))
		return
	}
	onPortal := isPortalURL(page)
	switch name {
	case "kioskState":
		b.reply(id, true, b.stateJSON())
	case "kioskHome":
		b.goHome()
		b.reply(id, true, b.stateJSON())
	case "kioskBack":
		home, _ := json.Marshal(b.nav.portalURL("home"))
		b.w.Eval("history.length > 1 ? history.back() : location.assign(" + string(home) + ")")
		b.reply(id, true, b.stateJSON())
	case "kioskStart", "kioskSatisfaction":
		// Only the portal's own pages may open a session or answer the
		// question: an allowed site's script cannot.
		if !onPortal {
			b.reply(id, false, jsonString("not allowed from this page"))
			return
		}
		if name == "kioskStart" {
			b.async(id, "/api/session/start", map[string]any{"lang": str(0)})
		} else {
			b.async(id, "/api/session/satisfaction", map[string]any{"answer": str(0)})
		}
	case "kioskEnd":
		b.async(id, "/api/session/end", map[string]any{"reason": "user"})
	case "kioskHelp":
		b.async(id, "/api/help", nil)
	case "kioskContinue":
		b.async(id, "/api/session/continue", nil)
	case "kioskUnlock", "kioskOverride":
		b.pinCall(id, name, page, str(0), str(1))
	case "kioskActivity":
		b.mu.Lock()
		b.lastInput = time.Now()
		b.mu.Unlock()
		b.async(id, "/api/session/activity", nil)
	default:
		b.reply(id, false, jsonString("unknown binding"))
	}
}

// pinCall answers kioskUnlock(pin, lang) and kioskOverride(pin, host)
// (main). The PIN is neither logged nor kept. Without WebView2's
// navigation events the shell does not know the HTTP status of the
// calling page: a page on a host the allowlist refuses can only be the
// proxy's blocked page (the proxy refuses every request there), so it
// counts as the 403 page of that host.
func (b *browser) pinCall(id, name, page, pin, arg string) {
	path, body, host := "/api/session/unlock", map[string]any{"pin": pin}, ""
	if name == "kioskOverride" {
		host = arg
		path, body["host"] = "/api/override", arg
	} else if arg != "" {
		body["lang"] = arg
	}
	status := 200
	if (page != "") && !isPortalURL(page) && !b.nav.allowed(page) {
		status = 403
	}
	if !b.nav.pinCallAllowed(page, status, host) {
		b.l.Warn("PIN binding refused on this page", "binding", name, "host", hostOf(page))
		b.reply(id, false, jsonString(`{"error":"not allowed from this page","code":"forbidden"}`))
		return
	}
	go func() {
		st, err := b.call(path, body)
		if err != nil {
			b.reply(id, false, jsonString(string(errorBody(err))))
			return
		}
		b.reply(id, true, string(st.Raw))
	}()
}

// reply settles the page's Promise id with resultJSON (any goroutine).
func (b *browser) reply(id string, ok bool, resultJSON string) {
	js := fmt.Sprintf("window.__kioskReply && window.__kioskReply(%s, %t, %s)", jsonString(id), ok, resultJSON)
	b.onMain(func() { b.w.Eval(js) })
}

// goHome loads the session's start page (main).
func (b *browser) goHome() {
	b.showing = screenOther
	b.w.Navigate(b.nav.portalURL("home"))
}

// async posts an action on its own goroutine and answers the page with the
// new state or the API's error message.
func (b *browser) async(id, path string, body any) {
	go func() {
		st, err := b.call(path, body)
		if err != nil {
			msg := err.Error()
			var ae *APIError
			if errors.As(err, &ae) && ae.Message != "" {
				msg = ae.Message
			}
			b.reply(id, false, jsonString(msg))
			return
		}
		b.reply(id, true, string(st.Raw))
	}()
}

// stateJSON returns the last state object, or null.
func (b *browser) stateJSON() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == nil || len(b.state.Raw) == 0 {
		return "null"
	}
	return string(b.state.Raw)
}

func jsonString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// checkResponsive sends a probe to the page on each heartbeat (main): a
// page that leaves it unanswered (an endless script, a crashed renderer,
// WebView2's error page) is replaced by the "page unavailable" screen,
// and if that does not answer either, this process ends as a crash.
func (b *browser) checkResponsive() {
	if b.quitting {
		return
	}
	if b.probe.IsZero() {
		b.probe = time.Now()
		b.w.Eval("window.__kioskProbe && window.__kioskProbe()")
		return
	}
	silent := time.Since(b.probe)
	switch {
	case silent > hungPage:
		b.l.Error("page not answering: ending the browser process", "silent", silent.Round(time.Second))
		b.finish(ErrCrashed)
	case silent > stuckPage && b.showing != screenBuiltin && !b.recovering.Load():
		b.l.Warn("page not answering: page unavailable", "host", hostOf(b.page))
		b.showBuiltin(unavailablePage(b.nav.portalURL("home")))
	}
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
