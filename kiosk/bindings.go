//go:build webview && (linux || windows)

package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// bindingNames are the JS functions the portal and the toolbar call
// (docs/api.md, "Shell bindings"). On Linux the index is the binding's id;
// on Windows the guard script defines them.
var bindingNames = []string{
	"kioskState", "kioskStart", "kioskEnd", "kioskHome", "kioskBack",
	"kioskHelp", "kioskContinue", "kioskSatisfaction", "kioskActivity",
	"kioskUnlock", "kioskOverride", "kioskPrint", "kioskScan", "kioskAttach",
}

// gestureBindings are the toolbar's actions: outside the portal's pages they
// are accepted only right after the resident's own input (residentActed);
// kioskHelp needs that input on the portal's pages too (callAllowed).
var gestureBindings = map[string]bool{
	"kioskEnd": true, "kioskHelp": true, "kioskContinue": true,
	"kioskHome": true, "kioskBack": true, "kioskActivity": true,
	"kioskPrint": true, "kioskScan": true, "kioskAttach": true,
}

// toolbarOnly are the actions that, outside the portal's pages, only the
// toolbar may take where it runs in a script world of its own (Linux,
// toolbarWorld): a site's script can neither end the session, keep it
// awake, print, scan nor attach a document, even right after the
// resident's touch. (Home and back stay callable from pages, within
// gestureWindow; help only from the proxy's blocked page of a refused host,
// within gestureWindow too: that page uses them. See callAllowed.)
var toolbarOnly = map[string]bool{
	"kioskEnd": true, "kioskContinue": true, "kioskActivity": true,
	"kioskPrint": true, "kioskScan": true, "kioskAttach": true,
}

// toolbarCall prefixes the ids of the calls that came from the toolbar's
// world (toolbarMessage); a page's call with such an id is refused.
const toolbarCall = "tb:"

// gestureWindow is how long after a touch, click or key the toolbar's
// actions are accepted: the toolbar calls them from that event's handler.
const gestureWindow = 2 * time.Second

// binding answers the call id of the binding name from the document page
// (main loop). Calls to the API run on their own goroutine and answer
// later, so the main loop never waits.
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
	fromToolbar := strings.HasPrefix(id, toolbarCall)
	// blocked: the proxy's blocked page of a refused host, served on that
	// host's origin (no site's script runs there).
	blocked := !onPortal && b.nav.pinCallAllowed(page, b.pageStatus(page), hostOf(page))
	if !b.callAllowed(id, name, page, onPortal, fromToolbar, blocked) {
		return
	}
	// view is what this page may read of the state in an answer: a site's
	// page runs third-party scripts (pagestate.go).
	view := func(full string) string {
		if onPortal || fromToolbar {
			return full
		}
		return pageState(full, !toolbarWorld, blocked)
	}
	switch name {
	case "kioskState":
		b.reply(id, true, view(b.stateJSON()))
	case "kioskHome":
		b.goHome()
		b.reply(id, true, view(b.stateJSON()))
	case "kioskBack":
		if !b.v.goBack() {
			b.goHome()
		}
		b.reply(id, true, view(b.stateJSON()))
	case "kioskStart", "kioskSatisfaction":
		// Only the portal's own pages may open a session or answer the
		// question: an allowed site's script cannot.
		if !onPortal {
			b.reply(id, false, jsonString("not allowed from this page"))
			return
		}
		if name == "kioskStart" {
			b.async(id, "/api/session/start", map[string]any{"lang": str(0)}, view)
		} else {
			b.async(id, "/api/session/satisfaction", map[string]any{"answer": str(0)}, view)
		}
	case "kioskEnd":
		b.async(id, "/api/session/end", map[string]any{"reason": "user"}, view)
	case "kioskHelp":
		b.async(id, "/api/help", nil, view)
	case "kioskContinue":
		b.async(id, "/api/session/continue", nil, view)
	case "kioskPrint":
		b.printPage(id)
	case "kioskScan", "kioskAttach":
		var doc int
		if len(args) > 0 {
			_ = json.Unmarshal(args[0], &doc)
		}
		if name == "kioskScan" {
			b.scanDocument(id, doc)
		} else {
			b.attachDocument(id, doc)
		}
	case "kioskUnlock", "kioskOverride":
		b.pinCall(id, name, page, str(0), str(1), view)
	case "kioskActivity":
		b.mu.Lock()
		b.lastInput = time.Now()
		b.mu.Unlock()
		b.async(id, "/api/session/activity", nil, view)
	default:
		b.reply(id, false, jsonString("unknown binding"))
	}
}

// callAllowed reports whether the page may make the call id of the
// binding name (main loop); if not, it logs and refuses the call.
func (b *browser) callAllowed(id, name, page string, onPortal, fromToolbar, blocked bool) bool {
	refuse := func(msg, body string) bool {
		b.l.Warn(msg, "binding", name, "host", hostOf(page))
		b.reply(id, false, jsonString(body))
		return false
	}
	const onlyToolbar = `{"error":"only the kiosk's toolbar may do this","code":"toolbar_only"}`
	switch {
	case !onPortal && !fromToolbar && toolbarWorld && toolbarOnly[name]:
		return refuse("binding refused: only the kiosk's toolbar may call it", onlyToolbar)
	case (!onPortal && gestureBindings[name] || name == "kioskHelp") && !b.residentActed():
		// An allowed site's own script cannot end the session, raise a
		// help request, keep the session awake or move the resident
		// around: these only follow a real touch, click or key. A help
		// request needs it on the portal's pages too, since any site may
		// load them (http://kiosk.invalid/aide, /blocked).
		return refuse("binding refused without the resident's input", `{"error":"only after the resident's input","code":"no_gesture"}`)
	case name == "kioskHelp" && !onPortal && !fromToolbar && !blocked && toolbarWorld:
		// Outside the portal, only the toolbar and the proxy's blocked
		// page ("Demander à un agent") raise a help request: not a site's
		// script, even right after the resident touched the site.
		return refuse("binding refused: only the kiosk's toolbar may call it", onlyToolbar)
	}
	return true
}

// pinCall answers kioskUnlock(pin, lang) and kioskOverride(pin, host) from
// the document page (main loop). Only the portal's pages (and, for an
// override, the proxy's blocked page of that host) may spend the
// terminal's PIN attempts. The PIN is neither logged nor kept: it lives in
// this call's request body only. A failure rejects with the API's JSON
// error body as text, so the keypad reads code and retry_after_s.
func (b *browser) pinCall(id, name, page, pin, arg string, view func(string) string) {
	path, body, host := "/api/session/unlock", map[string]any{"pin": pin}, ""
	if name == "kioskOverride" {
		host = arg
		path, body["host"] = "/api/override", arg
	} else if arg != "" {
		body["lang"] = arg
	}
	if !b.nav.pinCallAllowed(page, b.pageStatus(page), host) {
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
		b.reply(id, true, view(string(st.Raw)))
	}()
}

// goHome loads the session's start page (main loop).
func (b *browser) goHome() {
	b.showing = screenOther
	b.v.navigate(b.nav.portalURL("home"))
}

// async posts an action on its own goroutine and answers the page with
// what view gives of the new state, or the API's error message.
func (b *browser) async(id, path string, body any, view func(string) string) {
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
		b.reply(id, true, view(string(st.Raw)))
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

// reply settles the call id: a page's through the view, the toolbar's in
// its own world. It's safe for concurrent use.
func (b *browser) reply(id string, ok bool, resultJSON string) {
	tid, found := strings.CutPrefix(id, toolbarCall)
	if !found {
		b.v.reply(id, ok, resultJSON)
		return
	}
	js := fmt.Sprintf("window.__kioskToolbarReply && window.__kioskToolbarReply(%s, %t, %s)", jsonString(tid), ok, resultJSON)
	b.onMain(func() { b.v.toolbarEval(js) })
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}
