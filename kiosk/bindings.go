//go:build webview && linux

package kiosk

import (
	"encoding/json"
	"time"
)

// bindingNames are the JS functions the portal and the toolbar call
// (docs/api.md, "Shell bindings"); the index is the binding's id.
var bindingNames = []string{
	"kioskState", "kioskStart", "kioskEnd", "kioskHome", "kioskBack",
	"kioskHelp", "kioskContinue", "kioskSatisfaction", "kioskActivity",
	"kioskUnlock", "kioskOverride",
}

// bindAll binds every function (before the main loop runs).
func (b *browser) bindAll() {
	for i, name := range bindingNames {
		b.g.bind(name, i)
	}
}

// binding answers one call from the page (main loop). Calls to the API run
// on their own goroutine and answer later, so the main loop never waits.
func (b *browser) binding(seq, req string, index int) {
	if index < 0 || index >= len(bindingNames) {
		b.g.reply(seq, false, jsonString("unknown binding"))
		return
	}
	var args []json.RawMessage
	_ = json.Unmarshal([]byte(req), &args)
	str := func(i int) string {
		var s string
		if i < len(args) {
			_ = json.Unmarshal(args[i], &s)
		}
		return s
	}
	name := bindingNames[index]
	// The committed document is the page that called; the view's URI may
	// already be a provisional load (a site's script could start a load of
	// the portal and call at once).
	onPortal := isPortalURL(b.committed)
	if b.conf.OutOfOrder != "" {
		b.g.reply(seq, false, jsonString("out of order"))
		return
	}
	switch name {
	case "kioskState":
		b.g.reply(seq, true, b.stateJSON())
	case "kioskHome":
		b.goHome()
		b.g.reply(seq, true, b.stateJSON())
	case "kioskBack":
		if !b.g.goBack() {
			b.goHome()
		}
		b.g.reply(seq, true, b.stateJSON())
	case "kioskStart":
		// Only the portal's own pages may open a session or answer the
		// question: an allowed site's script cannot.
		if !onPortal {
			b.g.reply(seq, false, jsonString("not allowed from this page"))
			return
		}
		b.async(seq, "/api/session/start", map[string]any{"lang": str(0)})
	case "kioskSatisfaction":
		if !onPortal {
			b.g.reply(seq, false, jsonString("not allowed from this page"))
			return
		}
		b.async(seq, "/api/session/satisfaction", map[string]any{"answer": str(0)})
	case "kioskEnd":
		b.async(seq, "/api/session/end", map[string]any{"reason": "user"})
	case "kioskHelp":
		b.async(seq, "/api/help", nil)
	case "kioskContinue":
		b.async(seq, "/api/session/continue", nil)
	case "kioskUnlock", "kioskOverride":
		b.pinCall(seq, name, str(0), str(1))
	case "kioskActivity":
		b.mu.Lock()
		b.lastInput = time.Now()
		b.mu.Unlock()
		b.async(seq, "/api/session/activity", nil)
	}
}

// pinCall answers kioskUnlock(pin, lang) and kioskOverride(pin, host) (main
// loop). Only the portal's pages (and, for an override, the proxy's blocked
// page of that host) may spend the terminal's PIN attempts. The PIN is
// neither logged nor kept: it lives in this call's request body only. A
// failure rejects with the API's JSON error body as text, so the keypad
// reads code and retry_after_s.
func (b *browser) pinCall(seq, name, pin, arg string) {
	path, body, host := "/api/session/unlock", map[string]any{"pin": pin}, ""
	if name == "kioskOverride" {
		host = arg
		path, body["host"] = "/api/override", arg
	} else if arg != "" {
		body["lang"] = arg
	}
	if !b.nav.pinCallAllowed(b.committed, b.committedStatus, host) {
		b.l.Warn("PIN binding refused on this page", "binding", name, "host", hostOf(b.committed))
		b.g.reply(seq, false, jsonString(`{"error":"not allowed from this page","code":"forbidden"}`))
		return
	}
	go func() {
		st, err := b.call(path, body)
		if err != nil {
			b.g.reply(seq, false, jsonString(string(errorBody(err))))
			return
		}
		b.g.reply(seq, true, string(st.Raw))
	}()
}

// goHome loads the session's start page (main loop).
func (b *browser) goHome() {
	b.showing = screenOther
	b.g.navigate(b.nav.portalURL("home"))
}

// async posts an action on its own goroutine and answers the page with the
// new state or the API's error message.
func (b *browser) async(seq, path string, body any) {
	go func() {
		st, err := b.call(path, body)
		if err != nil {
			msg := err.Error()
			if ae, ok := err.(*APIError); ok && ae.Message != "" {
				msg = ae.Message
			}
			b.g.reply(seq, false, jsonString(msg))
			return
		}
		b.g.reply(seq, true, string(st.Raw))
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
	b, _ := json.Marshal(s)
	return string(b)
}
