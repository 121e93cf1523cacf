package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/communes/kiosk/kiosk"
)

// Who may call a binding. A call comes from one of these, as the shell
// tells them apart (callerOf).
type callers uint8

const (
	// byToolbar: the kiosk's toolbar, from its own script world (Linux).
	byToolbar callers = 1 << iota
	// byPortal: a page of the portal, http://kiosk.invalid/.
	byPortal
	// byBlocked: the proxy's blocked page of a refused host, served on
	// that host's origin (no site's script runs there).
	byBlocked
	// byPage: any other page, that is an allowed site's scripts.
	byPage

	byAnyone = byToolbar | byPortal | byBlocked | byPage
)

// When a binding needs the resident's own input (a touch, click or key the
// toolkit saw within gestureWindow: residentActed).
type gesture uint8

const (
	gestureNever     gesture = iota
	gestureOffPortal         // unless the page shown is the portal's
	gestureAlways            // on the portal's pages too: any site may load them
)

// bindingRule is one function the pages and the toolbar may call
// (docs/api.md, "Shell bindings"): who may call it, whether the
// resident's input must come first, and what it does.
type bindingRule struct {
	name    string
	callers callers
	gesture gesture
	// handle answers the call, once the rule allowed it (main loop).
	handle func(b *Browser, c *bindingCall)
}

// bindingCall is one call of a binding from the page or the toolbar.
type bindingCall struct {
	id, name, page string
	args           []json.RawMessage
	// view is what the caller may read of the state (pagestate.go).
	view func(full string) string
}

// str returns argument i as a string ("" if absent or not a string).
func (c *bindingCall) str(i int) string {
	var s string
	if i < len(c.args) {
		_ = json.Unmarshal(c.args[i], &s)
	}
	return s
}

// num returns argument i as an int (0 if absent or not a number).
func (c *bindingCall) num(i int) int {
	var n int
	if i < len(c.args) {
		_ = json.Unmarshal(c.args[i], &n)
	}
	return n
}

// bindings is the one table of the bindings: a name that is not here is
// refused to every caller, so a new binding is callable by nobody until its
// row says by whom. On Linux the index is the binding's id; on Windows the
// guard script defines them.
//
// An allowed site's own script cannot end the session, raise a help
// request, keep an abandoned session awake, print, scan, attach a document
// nor move the resident elsewhere without the resident's touch; only the
// portal's pages open a session, answer the satisfaction question or spend
// the terminal's PIN attempts.
var bindings = []bindingRule{
	{"kioskState", byAnyone, gestureNever, func(b *Browser, c *bindingCall) {
		b.reply(c.id, true, c.view(b.stateJSON()))
	}},
	{"kioskStart", byPortal, gestureNever, func(b *Browser, c *bindingCall) {
		b.async(c.id, "/api/session/start", map[string]any{"lang": c.str(0)}, c.view)
	}},
	{"kioskEnd", byToolbar | byPortal, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.async(c.id, "/api/session/end", map[string]any{"reason": "user"}, c.view)
	}},
	// Home and back: the proxy's blocked page and the sites' own "home"
	// links use them too.
	{"kioskHome", byAnyone, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.goHome()
		b.reply(c.id, true, c.view(b.stateJSON()))
	}},
	{"kioskBack", byAnyone, gestureOffPortal, func(b *Browser, c *bindingCall) {
		if !b.v.GoBack() {
			b.goHome()
		}
		b.reply(c.id, true, c.view(b.stateJSON()))
	}},
	// Help: the proxy's blocked page has "Demander à un agent"; a site's
	// script may not raise a request, even right after a touch.
	{"kioskHelp", byToolbar | byPortal | byBlocked, gestureAlways, func(b *Browser, c *bindingCall) {
		b.async(c.id, "/api/help", nil, c.view)
	}},
	{"kioskContinue", byToolbar | byPortal, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.async(c.id, "/api/session/continue", nil, c.view)
	}},
	{"kioskSatisfaction", byPortal, gestureNever, func(b *Browser, c *bindingCall) {
		b.async(c.id, "/api/session/satisfaction", map[string]any{"answer": c.str(0)}, c.view)
	}},
	{"kioskActivity", byToolbar | byPortal, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.mu.Lock()
		b.lastInput = time.Now()
		b.mu.Unlock()
		b.async(c.id, "/api/session/activity", nil, c.view)
	}},
	// The PIN bindings also check the page itself (pinCall).
	{"kioskUnlock", byPortal, gestureNever, func(b *Browser, c *bindingCall) {
		b.pinCall(c.id, c.name, c.page, c.str(0), c.str(1), c.view)
	}},
	{"kioskOverride", byPortal | byBlocked, gestureNever, func(b *Browser, c *bindingCall) {
		b.pinCall(c.id, c.name, c.page, c.str(0), c.str(1), c.view)
	}},
	{"kioskPrint", byToolbar | byPortal, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.printPage(c.id)
	}},
	{"kioskScan", byToolbar | byPortal, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.scanDocument(c.id, c.num(0))
	}},
	{"kioskAttach", byToolbar | byPortal, gestureOffPortal, func(b *Browser, c *bindingCall) {
		b.attachDocument(c.id, c.num(0))
	}},
	// The resident's USB key in the documents panel (usb_linux.go):
	// "Joindre" beside a file ("attach", its index) and "Retirer la clé"
	// ("eject"), from the toolbar's own world only.
	{"kioskUSB", byToolbar, gestureAlways, func(b *Browser, c *bindingCall) {
		b.usbAction(c.id, c.str(0), c.num(1))
	}},
	// Zoom, contrast, pointer (display.go): the toolbar's display panel
	// ("Aa": "A−", "A+", "Contraste élevé", "Grand pointeur"), after the
	// resident's own touch, on the portal's pages too; a site's script
	// cannot change them.
	{"kioskDisplay", byToolbar, gestureAlways, func(b *Browser, c *bindingCall) {
		b.changeDisplay(c.id, c.str(0))
	}},
	// The on-screen keyboard's keys (keyboard.go): the toolbar's world
	// only, after the resident's touch, so no page's script presses them.
	{"kioskKey", byToolbar, gestureAlways, func(b *Browser, c *bindingCall) {
		b.typeKey(c)
	}},
	// Read-aloud (speak.go): the toolbar's "Écouter" and "Stop", after the
	// resident's touch, on the portal's pages too; a site's script can
	// neither start nor stop it.
	{"kioskSpeak", byToolbar, gestureAlways, func(b *Browser, c *bindingCall) {
		b.speak(c)
	}},
}

// bindingNames are the names of bindings, in the table's order.
var bindingNames = func() []string {
	names := make([]string, len(bindings))
	for i, r := range bindings {
		names[i] = r.name
	}
	return names
}()

// ruleOf returns the rule of the binding name, nil if there is none.
func ruleOf(name string) *bindingRule {
	for i := range bindings {
		if bindings[i].name == name {
			return &bindings[i]
		}
	}
	return nil
}

// toolbarCall prefixes the ids of the calls that came from the toolbar's
// world (ToolbarMessage); a page's call with such an id is refused.
const toolbarCall = "tb:"

// gestureWindow is how long after a touch, click or key the toolbar's
// actions are accepted: the toolbar calls them from that event's handler.
const gestureWindow = 2 * time.Second

// Refusals of a binding call, as the page's Promise rejects.
const (
	refusedToolbarOnly = `{"error":"only the kiosk's toolbar may do this","code":"toolbar_only"}`
	refusedPage        = `{"error":"not allowed from this page","code":"forbidden"}`
	refusedNoGesture   = `{"error":"only after the resident's input","code":"no_gesture"}`
	refusedUnknown     = `{"error":"unknown binding","code":"unknown_binding"}`
)

// callerOf says who made a call: the toolbar (its world's ids carry
// toolbarCall), the portal, the proxy's blocked page or a site's page.
// Where the toolbar shares the page's script world (Windows, toolbarWorld
// false), a page outside the portal may be the toolbar, so it counts as
// both.
func callerOf(fromToolbar, onPortal, blocked bool) callers {
	switch {
	case fromToolbar && onPortal:
		return byToolbar | byPortal // the toolbar on the portal's own page
	case fromToolbar:
		return byToolbar
	case onPortal:
		return byPortal
	}
	who := byPage
	if blocked {
		who = byBlocked
	}
	if !toolbarWorld {
		who |= byToolbar
	}
	return who
}

// check reports whether the rule lets who call it from a page (onPortal:
// one of the portal's) with or without the resident's recent input
// (acted); if not, it returns the refusal to answer with and the log
// message. A missing input is told first: the toolbar's own calls need it
// too.
func (r *bindingRule) check(who callers, onPortal, acted bool) (refusal, logMsg string) {
	needs := r.gesture == gestureAlways || (r.gesture == gestureOffPortal && !onPortal)
	if needs && !acted {
		return refusedNoGesture, "binding refused without the resident's input"
	}
	if r.callers&who == 0 {
		if r.callers&byToolbar != 0 {
			return refusedToolbarOnly, "binding refused: only the kiosk's toolbar may call it"
		}
		return refusedPage, "binding refused on this page"
	}
	return "", ""
}

// binding answers the call id of the binding name from the document page
// (main loop): the table's rule decides, then its handler answers. Calls to
// the API run on their own goroutine and answer later, so the main loop
// never waits.
func (b *Browser) binding(id, name, page string, args []json.RawMessage) {
	if b.conf.OutOfOrder != "" {
		b.reply(id, false, jsonString("out of order"))
		return
	}
	rule := ruleOf(name)
	if rule == nil {
		b.l.Warn("binding refused: not in the table", "binding", name, "host", hostOf(page))
		b.reply(id, false, jsonString(refusedUnknown))
		return
	}
	onPortal := isPortalURL(page)
	fromToolbar := strings.HasPrefix(id, toolbarCall)
	// blocked: the proxy's blocked page of a refused host, served on that
	// host's origin (no site's script runs there).
	blocked := !onPortal && b.nav.pinCallAllowed(page, b.pageStatus(page), hostOf(page))
	who := callerOf(fromToolbar, onPortal, blocked)
	b.l.Debug("binding call", "binding", name, "host", hostOf(page), "toolbar", fromToolbar, "portal", onPortal)
	if refusal, msg := rule.check(who, onPortal, b.residentActed()); refusal != "" {
		b.l.Warn(msg, "binding", name, "host", hostOf(page))
		b.reply(id, false, jsonString(refusal))
		return
	}
	rule.handle(b, &bindingCall{id: id, name: name, page: page, args: args,
		// What this page may read of the state in an answer: a site's
		// page runs third-party scripts (pagestate.go).
		view: func(full string) string {
			if onPortal || fromToolbar {
				return full
			}
			return pageState(full, !toolbarWorld, blocked)
		}})
}

// pinCall answers kioskUnlock(pin, lang) and kioskOverride(pin, host) from
// the document page (main loop). Only the portal's pages (and, for an
// override, the proxy's blocked page of that host) may spend the
// terminal's PIN attempts. The PIN is neither logged nor kept: it lives in
// this call's request body only. A failure rejects with the API's JSON
// error body as text, so the keypad reads code and retry_after_s.
func (b *Browser) pinCall(id, name, page, pin, arg string, view func(string) string) {
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
			b.reply(id, false, jsonString(string(kiosk.ErrorBody(err))))
			return
		}
		b.reply(id, true, view(string(st.Raw)))
	}()
}

// goHome loads the session's start page (main loop).
func (b *Browser) goHome() {
	b.showing = screenOther
	b.v.Navigate(b.nav.portalURL("home"))
}

// async posts an action on its own goroutine and answers the page with
// what view gives of the new state, or the API's error message.
func (b *Browser) async(id, path string, body any, view func(string) string) {
	go func() {
		st, err := b.call(path, body)
		if err != nil {
			msg := err.Error()
			var ae *kiosk.APIError
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
func (b *Browser) stateJSON() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == nil || len(b.state.Raw) == 0 {
		return "null"
	}
	return string(b.state.Raw)
}

// reply settles the call id: a page's through the view, the toolbar's in
// its own world. It's safe for concurrent use.
func (b *Browser) reply(id string, ok bool, resultJSON string) {
	b.l.Debug("binding answered", "id", id, "ok", ok)
	tid, found := strings.CutPrefix(id, toolbarCall)
	if !found {
		b.v.Reply(id, ok, resultJSON)
		return
	}
	js := fmt.Sprintf("window.__kioskToolbarReply && window.__kioskToolbarReply(%s, %t, %s)", jsonString(tid), ok, resultJSON)
	b.onMain(func() { b.v.ToolbarEval(js) })
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}
