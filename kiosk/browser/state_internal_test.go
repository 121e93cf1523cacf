package browser

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/communes/kiosk/kiosk"
)

// stateOf makes a state object as the service sends it.
func stateOf(t *testing.T, version int64, state string, extra map[string]any) *kiosk.State {
	t.Helper()
	m := map[string]any{"version": version, "state": state}
	for k, v := range extra {
		m[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	st := &kiosk.State{Raw: raw}
	if err := json.Unmarshal(raw, st); err != nil {
		t.Fatal(err)
	}
	return st
}

// Following the service's state: what the view shows for each state, and
// when the browser process ends.
func TestState_Following(t *testing.T) {
	t.Run("out of order before any session shows the portal's page", func(t *testing.T) {
		v := newFakeView()
		b, _ := testBrowser(t, v)
		b.setState(stateOf(t, 1, kiosk.StateOutOfOrder, nil))
		if got := v.lastNavigation(); !strings.HasPrefix(got, kiosk.PortalURL+"out-of-order") {
			t.Errorf("navigated to %q, want the portal's out-of-order page", got)
		}
		if v.quit {
			t.Error("the browser ended on out_of_order before any session")
		}
	})
	t.Run("a session's end ends the process", func(t *testing.T) {
		v := newFakeView()
		b, _ := testBrowser(t, v)
		b.setState(stateOf(t, 1, kiosk.StateActive, nil))
		if !b.owned {
			t.Fatal("an active state did not make the session this process's")
		}
		b.setState(stateOf(t, 2, kiosk.StateEnding, map[string]any{"ask_satisfaction": true}))
		if got := v.lastNavigation(); !strings.HasPrefix(got, kiosk.PortalURL+"end") {
			t.Errorf("ending with the question: navigated to %q, want the portal's end page", got)
		}
		if v.quit {
			t.Fatal("the browser ended before the satisfaction page was answered")
		}
		b.setState(stateOf(t, 3, kiosk.StateWelcome, nil))
		if !v.quit || b.exitErr != nil {
			t.Errorf("welcome after a session: quit %v, err %v; want a clean end (the supervisor wipes)", v.quit, b.exitErr)
		}
	})
	t.Run("an older state is dropped", func(t *testing.T) {
		v := newFakeView()
		b, _ := testBrowser(t, v)
		b.setState(stateOf(t, 5, kiosk.StateActive, map[string]any{"supervised": true}))
		b.setState(stateOf(t, 4, kiosk.StateActive, nil)) // a long poll answering late
		if !b.nav.supervised.Load() {
			t.Error("an older state undid the supervised mode of a newer one")
		}
		if b.state.Version != 5 {
			t.Errorf("state version %d, want 5", b.state.Version)
		}
	})
	t.Run("the toolbar is told each state", func(t *testing.T) {
		v := newFakeView()
		b, _ := testBrowser(t, v)
		b.setState(stateOf(t, 1, kiosk.StateActive, nil))
		if len(v.toolbarJS) == 0 || !strings.Contains(v.toolbarJS[len(v.toolbarJS)-1], `"state":"active"`) {
			t.Errorf("toolbar scripts %q: want kioskUpdate with the state", v.toolbarJS)
		}
	})
}

// Without the service, the built-in out-of-order screen shows and the
// supervisor is told.
func TestState_UnreachableShowsOutOfOrder(t *testing.T) {
	v := newFakeView()
	b, _ := testBrowser(t, v)
	b.unreachable(errFake)
	if len(v.html) == 0 || !strings.Contains(v.html[len(v.html)-1], "indisponible") {
		t.Errorf("built-in pages %d: want the out-of-order screen", len(v.html))
	}
	if b.showing != screenBuiltin {
		t.Errorf("showing %v, want the built-in screen", b.showing)
	}
}

var errFake = jsonErr("connection refused")

type jsonErr string

func (e jsonErr) Error() string { return string(e) }
