package browser

import (
	"strings"
	"testing"
)

// Where a navigation is decided on Linux: Decide (decide-policy, any
// frame: schemes only, and new windows against the allowlist) and
// MainFrame (the main resource's response and notify::uri: the
// allowlist).
func TestEvents_NavigationDecisions(t *testing.T) {
	b, _ := testBrowser(t, newFakeView())
	testCases := []struct {
		name      string
		hook      func(string) (NavAction, string)
		uri       string
		want      NavAction
		redirects bool
	}{
		{"frame: http goes on to the main-frame check and the proxy", func(u string) (NavAction, string) { return b.Decide(u, false) }, "http://blocked.example/", NavUse, false},
		{"frame: file: refused", func(u string) (NavAction, string) { return b.Decide(u, false) }, "file:///etc/passwd", NavIgnore, false},
		{"new window: refused host shows the blocked page", func(u string) (NavAction, string) { return b.Decide(u, true) }, "https://blocked.example/", NavRedirect, true},
		{"new window: allowed loads in the view", func(u string) (NavAction, string) { return b.Decide(u, true) }, "https://www.caf.fr/", NavRedirect, false},
		{"main frame: allowed", b.MainFrame, "https://www.caf.fr/a", NavUse, false},
		{"main frame: refused shows the blocked page", b.MainFrame, "https://blocked.example/a", NavRedirect, true},
		{"main frame: portal", b.MainFrame, "http://kiosk.invalid/home", NavUse, false},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			act, to := tc.hook(tc.uri)
			if act != tc.want {
				t.Errorf("%s: action %v, want %v", tc.uri, act, tc.want)
			}
			if blocked := strings.Contains(to, "/blocked?host=blocked.example"); blocked != tc.redirects {
				t.Errorf("%s: redirect %q, want the blocked page: %v", tc.uri, to, tc.redirects)
			}
		})
	}
}

// The out-of-order screen loads nothing but its built-in page.
func TestEvents_OutOfOrderLoadsNothing(t *testing.T) {
	b, _ := testBrowser(t, newFakeView())
	b.conf.OutOfOrder = "no sandbox"
	for _, uri := range []string{"http://kiosk.invalid/", "https://www.caf.fr/"} {
		if act, _ := b.MainFrame(uri); act != NavIgnore {
			t.Errorf("out of order: main frame %s = %v, want ignored", uri, act)
		}
		if act, _ := b.Decide(uri, true); act != NavIgnore {
			t.Errorf("out of order: new window %s = %v, want ignored", uri, act)
		}
	}
	if act, _ := b.MainFrame("about:blank"); act != NavUse {
		t.Errorf("out of order: about:blank = %v, want used (the built-in page)", act)
	}
}
