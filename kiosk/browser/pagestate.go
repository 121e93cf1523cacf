package browser

import "encoding/json"

// What the bindings tell a page about the session (docs/shell.md, "What
// kioskState gives to whom"). The portal's pages and the toolbar's own
// script world get the whole state object; a page of an allowed site
// runs the site's third-party scripts too, and gets only what it needs.

// siteStateKeys are the fields a site's page gets where the toolbar runs
// in a script world of its own (WebKitGTK): whether a session is open and
// its language. Never the agent's name, the hosts an agent opened, the
// help requests or the agent's message.
var siteStateKeys = []string{"state", "lang"}

// toolbarStateKeys are the fields the toolbar reads, given to a site's
// page where the toolbar runs in the page's own world (WebView2), since
// its calls cannot be told from the page's there. Not the agent's name
// nor the hosts opened; of the help requests, only pageState's reduced
// "help" below.
var toolbarStateKeys = []string{
	"version", "state", "lang", "now", "remaining_s", "warning",
	"countdown_s", "message", "supervised", "help_taken",
}

// blockedStateKeys are added for the proxy's blocked page of a refused
// host (served on that host's origin, where no site's script runs): its
// agent keypad shows a lockout.
var blockedStateKeys = []string{"pin_locked_until", "pin_retry_s"}

// pageState returns the part of full (a state object, or "null") that a
// site's page may read: siteStateKeys, or toolbarStateKeys when the
// toolbar shares the page's world (toolbarInPage), plus blockedStateKeys
// on the proxy's blocked page (blockedPage). Anything that is not a JSON
// object gives "null".
func pageState(full string, toolbarInPage, blockedPage bool) string {
	var st map[string]json.RawMessage
	if err := json.Unmarshal([]byte(full), &st); err != nil || st == nil {
		return "null"
	}
	keys := siteStateKeys
	if toolbarInPage {
		keys = toolbarStateKeys
	}
	out := make(map[string]json.RawMessage, len(keys)+2)
	pick := func(keys []string) {
		for _, k := range keys {
			if v, ok := st[k]; ok {
				out[k] = v
			}
		}
	}
	pick(keys)
	if blockedPage {
		pick(blockedStateKeys)
	}
	if toolbarInPage {
		if h := lastHelpTaken(st["help"]); h != nil {
			out["help"] = h
		}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return "null"
	}
	return string(data)
}

// lastHelpTaken returns, of the help requests raw, the last one reduced
// to when an agent took it ([{"taken_at": ...}]: what the toolbar shows
// for a minute), or nil.
func lastHelpTaken(raw json.RawMessage) json.RawMessage {
	var help []struct {
		TakenAt string `json:"taken_at"`
	}
	if err := json.Unmarshal(raw, &help); err != nil || len(help) == 0 || help[len(help)-1].TakenAt == "" {
		return nil
	}
	data, _ := json.Marshal([]map[string]string{{"taken_at": help[len(help)-1].TakenAt}})
	return data
}
