package browser

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/kiosk"
)

// The callers a binding call may come from on Linux, where the toolbar
// runs in a script world of its own.
var testCallers = []struct {
	name                           string
	fromToolbar, onPortal, blocked bool
	page                           string
	status                         int
}{
	{"toolbar on a site", true, false, false, "https://www.caf.fr/x", 200},
	{"toolbar on the portal", true, true, false, "http://kiosk.invalid/home?lang=fr", 200},
	{"portal page", false, true, false, "http://kiosk.invalid/home?lang=fr", 200},
	{"proxy's blocked page", false, false, true, "http://blocked.example/", 403},
	{"site's page", false, false, false, "https://www.caf.fr/x", 200},
}

// TestBindings_WhoMayCall is the table of bindings as seen from each
// caller, without and with the resident's input: "ok", or the refusal's
// code. Each row lists testCallers' five callers, "without/with" input.
func TestBindings_WhoMayCall(t *testing.T) {
	want := map[string][5]string{
		"kioskState":        {"ok/ok", "ok/ok", "ok/ok", "ok/ok", "ok/ok"},
		"kioskStart":        {"forbidden/forbidden", "ok/ok", "ok/ok", "forbidden/forbidden", "forbidden/forbidden"},
		"kioskSatisfaction": {"forbidden/forbidden", "ok/ok", "ok/ok", "forbidden/forbidden", "forbidden/forbidden"},
		"kioskEnd":          {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskContinue":     {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskActivity":     {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskPrint":        {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskScan":         {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskAttach":       {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskDisplay":      {"no_gesture/ok", "no_gesture/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskKey":          {"no_gesture/ok", "no_gesture/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskUSB":          {"no_gesture/ok", "no_gesture/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskSpeak":        {"no_gesture/ok", "no_gesture/ok", "no_gesture/toolbar_only", "no_gesture/toolbar_only", "no_gesture/toolbar_only"},
		"kioskHome":         {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/ok", "no_gesture/ok"},
		"kioskBack":         {"no_gesture/ok", "ok/ok", "ok/ok", "no_gesture/ok", "no_gesture/ok"},
		"kioskHelp":         {"no_gesture/ok", "no_gesture/ok", "no_gesture/ok", "no_gesture/ok", "no_gesture/toolbar_only"},
		"kioskUnlock":       {"forbidden/forbidden", "ok/ok", "ok/ok", "forbidden/forbidden", "forbidden/forbidden"},
		"kioskOverride":     {"forbidden/forbidden", "ok/ok", "ok/ok", "ok/ok", "forbidden/forbidden"},
	}
	if len(want) != len(bindings) {
		t.Errorf("the table has %d bindings, this test knows %d: add the new one here", len(bindings), len(want))
	}
	for _, r := range bindings {
		row, ok := want[r.name]
		if !ok {
			t.Errorf("binding %s is not in this test", r.name)
			continue
		}
		for i, c := range testCallers {
			who := callerOf(c.fromToolbar, c.onPortal, c.blocked)
			var got []string
			for _, acted := range []bool{false, true} {
				refusal, _ := r.check(who, c.onPortal, acted)
				got = append(got, codeOf(t, refusal))
			}
			if g := strings.Join(got, "/"); g != row[i] {
				t.Errorf("%s from the %s (without/with input) = %s, want %s", r.name, c.name, g, row[i])
			}
		}
	}
}

// codeOf returns "ok" for no refusal, else the refusal's code.
func codeOf(t *testing.T, refusal string) string {
	t.Helper()
	if refusal == "" {
		return "ok"
	}
	var e struct{ Code string }
	if err := json.Unmarshal([]byte(refusal), &e); err != nil || e.Code == "" {
		t.Fatalf("refusal %q is not a JSON error with a code", refusal)
	}
	return e.Code
}

// A name the table lacks is refused to every caller, the toolbar and the
// portal included, and reaches no API.
func TestBindings_UnknownRefusedToEveryone(t *testing.T) {
	v := newFakeView()
	b, api := testBrowser(t, v)
	b.lastGesture = time.Now()
	for i, c := range testCallers {
		b.committed, b.committedStatus = c.page, c.status
		id := string(rune('a' + i))
		if c.fromToolbar {
			id = toolbarCall + id
			b.ToolbarMessage(`{"id":"` + id[len(toolbarCall):] + `","name":"kioskNewThing","args":[]}`)
		} else {
			b.binding(id, "kioskNewThing", c.page, nil)
		}
		if c.fromToolbar {
			// Answered in the toolbar's own world.
			v.mu.Lock()
			last := ""
			if len(v.toolbarJS) > 0 {
				last = v.toolbarJS[len(v.toolbarJS)-1]
			}
			v.mu.Unlock()
			if !strings.Contains(last, "__kioskToolbarReply") || !strings.Contains(last, "false") || !strings.Contains(last, "unknown") {
				t.Errorf("kioskNewThing from the %s: toolbar answer %q, want a refusal", c.name, last)
			}
			continue
		}
		r, ok := v.replyOf(id)
		if !ok || r.ok || !strings.Contains(r.result, "unknown") {
			t.Errorf("kioskNewThing from the %s: answered %v %+v, want a refusal", c.name, ok, r)
		}
	}
	if slices.Contains(bindingNames, "kioskNewThing") {
		t.Fatal("the test's binding exists")
	}
	if p := api.paths(); len(p) != 0 {
		t.Errorf("an unknown binding reached the API: %v", p)
	}
}

// Through the browser: the table's decision holds for real calls, and an
// allowed call reaches the API while a refused one does not.
func TestBindings_CallsReachTheAPIOnlyWhenAllowed(t *testing.T) {
	v := newFakeView()
	b, api := testBrowser(t, v)
	site := "https://www.caf.fr/x"
	b.committed, b.committedStatus = site, 200

	// A site's script, even right after the resident's touch, cannot end
	// the session.
	b.lastGesture = time.Now()
	b.binding("1", "kioskEnd", site, nil)
	if r, _ := v.replyOf("1"); r.ok || !strings.Contains(r.result, "toolbar_only") {
		t.Errorf("kioskEnd from a site's page: %+v, want toolbar_only", r)
	}
	// The toolbar can, after the resident's touch...
	b.binding(toolbarCall+"2", "kioskEnd", site, nil)
	wait.Until(t, 5*time.Second, "the toolbar's kioskEnd posted", func() bool {
		return slices.Contains(api.paths(), "POST /api/session/end")
	})
	// ... and not without it.
	b.lastGesture = time.Time{}
	b.binding(toolbarCall+"3", "kioskContinue", site, nil)
	// kioskStart from a site's page is refused; from the portal it posts.
	b.binding("4", "kioskStart", site, []json.RawMessage{json.RawMessage(`"fr"`)})
	if r, _ := v.replyOf("4"); r.ok || !strings.Contains(r.result, "forbidden") {
		t.Errorf("kioskStart from a site's page: %+v, want forbidden", r)
	}
	b.binding("5", "kioskStart", "http://kiosk.invalid/", []json.RawMessage{json.RawMessage(`"fr"`)})
	wait.Until(t, 5*time.Second, "kioskStart from the portal answered", func() bool {
		r, ok := v.replyOf("5")
		return ok && r.ok
	})
	got := api.paths()
	if slices.Contains(got, "POST /api/session/continue") {
		t.Errorf("the toolbar's kioskContinue without the resident's input reached the API: %v", got)
	}
	if n := strings.Count(strings.Join(got, "\n"), "POST /api/session/start"); n != 1 {
		t.Errorf("%d session starts posted, want 1 (the portal's): %v", n, got)
	}
	// A site's page reads only state and lang of the state; the toolbar
	// reads it all.
	b.mu.Lock()
	b.state = &kiosk.State{Version: 7, State: "active", Raw: json.RawMessage(`{"version":7,"state":"active","lang":"fr","agent":"Marie"}`)}
	b.mu.Unlock()
	b.binding("6", "kioskState", site, nil)
	if r, _ := v.replyOf("6"); !r.ok || !strings.Contains(r.result, `"active"`) || strings.Contains(r.result, "Marie") || strings.Contains(r.result, "version") {
		t.Errorf("kioskState from a site's page: %+v, want only state and lang", r)
	}
	b.binding("7", "kioskState", "http://kiosk.invalid/home", nil)
	if r, _ := v.replyOf("7"); !r.ok || !strings.Contains(r.result, "Marie") {
		t.Errorf("kioskState from the portal: %+v, want the whole state", r)
	}
}
