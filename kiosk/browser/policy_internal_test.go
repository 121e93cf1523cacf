package browser

import (
	"testing"

	"github.com/communes/kiosk/allowlist"
)

func testNavigator(t *testing.T) *navigator {
	t.Helper()
	list, err := allowlist.Parse([]byte(`version: 1
sites:
  - name: CAF
    hosts: [caf.fr]
supervised:
  - name: Messagerie
    hosts: [laposte.net]
`), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	n := &navigator{}
	n.list.Store(list)
	lang := "fr"
	n.lang.Store(&lang)
	return n
}

func TestNavigator_Decide(t *testing.T) {
	n := testNavigator(t)
	testCases := []struct {
		name      string
		url       string
		newWindow bool
		want      NavAction
		wantTo    string
	}{
		{"allowed", "https://www.caf.fr/x?y=1", false, NavUse, ""},
		{"allowed apex", "http://caf.fr/", false, NavUse, ""},
		{"portal", "http://kiosk.invalid/home?lang=fr", false, NavUse, ""},
		{"portal https refused", "https://kiosk.invalid/", false, NavRedirect, "http://kiosk.invalid/blocked?host=kiosk.invalid&lang=fr"},
		{"refused", "https://evilcaf.fr/", false, NavRedirect, "http://kiosk.invalid/blocked?host=evilcaf.fr&lang=fr"},
		{"suffix trick", "https://caf.fr.evil.example/", false, NavRedirect, "http://kiosk.invalid/blocked?host=caf.fr.evil.example&lang=fr"},
		{"supervised site in a public session", "https://laposte.net/", false, NavRedirect, "http://kiosk.invalid/blocked?host=laposte.net&lang=fr"},
		{"IP literal", "http://127.0.0.1/", false, NavRedirect, "http://kiosk.invalid/blocked?host=127.0.0.1&lang=fr"},
		{"other port", "https://www.caf.fr:8443/", false, NavRedirect, "http://kiosk.invalid/blocked?host=www.caf.fr&lang=fr"},
		{"file", "file:///etc/passwd", false, NavIgnore, ""},
		{"data", "data:text/html,hi", false, NavIgnore, ""},
		{"javascript", "javascript:alert(1)", false, NavIgnore, ""},
		{"about:blank", "about:blank", false, NavUse, ""},
		{"about:config", "about:config", false, NavIgnore, ""},
		{"mailto", "mailto:a@caf.fr", false, NavIgnore, ""},
		{"blob of allowed origin", "blob:https://www.caf.fr/0b1f", false, NavUse, ""},
		{"blob of refused origin", "blob:https://evil.example/0b1f", false, NavIgnore, ""},
		{"new window allowed", "https://www.caf.fr/doc", true, NavRedirect, "https://www.caf.fr/doc"},
		{"new window refused", "https://evil.example/", true, NavRedirect, "http://kiosk.invalid/blocked?host=evil.example&lang=fr"},
		{"new window about:blank", "about:blank", true, NavIgnore, ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			got, to := n.decide(tc.url, tc.newWindow)
			if got != tc.want || to != tc.wantTo {
				t.Errorf("decide(%q, %v) = %v, %q; want %v, %q", tc.url, tc.newWindow, got, to, tc.want, tc.wantTo)
			}
		})
	}
}

func TestNavigator_Supervised(t *testing.T) {
	n := testNavigator(t)
	n.supervised.Store(true)
	if got, _ := n.decide("https://laposte.net/", false); got != NavUse {
		t.Errorf("decide(laposte.net) in a supervised session = %v, want NavUse", got)
	}
}

func TestNavigator_NoListRefusesAllButPortal(t *testing.T) {
	n := &navigator{}
	if got, _ := n.decide("https://www.caf.fr/", false); got != NavRedirect {
		t.Errorf("decide without a list = %v, want NavRedirect (blocked)", got)
	}
	if got, _ := n.decide("http://kiosk.invalid/", false); got != NavUse {
		t.Errorf("decide(portal) without a list = %v, want NavUse", got)
	}
}

func TestFrameDecide(t *testing.T) {
	testCases := []struct {
		url  string
		want NavAction
	}{
		{"https://ads.example/frame", NavUse}, // the proxy refuses it
		{"about:srcdoc", NavUse},
		{"blob:https://www.caf.fr/x", NavUse},
		{"file:///etc/passwd", NavIgnore},
		{"data:text/html,x", NavIgnore},
		{"ftp://caf.fr/", NavIgnore},
	}
	for _, tc := range testCases {
		if got := frameDecide(tc.url); got != tc.want {
			t.Errorf("frameDecide(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

func TestNavigator_SetSession(t *testing.T) {
	n := testNavigator(t)
	n.setSession(false, []string{"www.ameli.fr", "127.0.0.1"})
	testCases := []struct {
		name string
		url  string
		want NavAction
	}{
		{"overridden host", "https://www.ameli.fr/compte", NavUse},
		{"overridden host, explicit default port", "http://www.ameli.fr:80/", NavUse},
		{"overridden host, upper case and trailing dot", "https://WWW.AMELI.FR./", NavUse},
		{"overridden host, other port", "https://www.ameli.fr:8443/", NavRedirect},
		{"subdomain of an overridden host", "https://x.www.ameli.fr/", NavRedirect},
		{"parent of an overridden host", "https://ameli.fr/", NavRedirect},
		{"IP given as an override", "http://127.0.0.1/", NavRedirect},
		{"supervised site, session not supervised", "https://laposte.net/", NavRedirect},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := n.decide(tc.url, false); got != tc.want {
				t.Errorf("decide(%q) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}

	n.setSession(true, []string{"www.ameli.fr"})
	if got, _ := n.decide("https://laposte.net/", false); got != NavUse {
		t.Errorf("decide(laposte.net) supervised = %v, want NavUse", got)
	}
	// The session ends: the state carries neither any more.
	n.setSession(false, nil)
	for _, u := range []string{"https://laposte.net/", "https://www.ameli.fr/"} {
		if got, _ := n.decide(u, false); got != NavRedirect {
			t.Errorf("decide(%q) after the session = %v, want NavRedirect", u, got)
		}
	}
}

func TestNavigator_PINCallAllowed(t *testing.T) {
	n := testNavigator(t)
	n.setSession(false, []string{"www.ameli.fr"})
	testCases := []struct {
		name      string
		committed string
		status    int
		host      string
		want      bool
	}{
		{"unlock from the welcome page", "http://kiosk.invalid/?lang=fr", 200, "", true},
		{"override from the shell's blocked page", "http://kiosk.invalid/blocked?host=x.example", 403, "x.example", true},
		{"unlock from an allowed site", "https://www.caf.fr/", 200, "", false},
		{"unlock from the proxy's blocked page", "http://x.example/", 403, "", false},
		{"override of its own host by an allowed site", "https://www.caf.fr/", 403, "www.caf.fr", false},
		{"override from an allowed site", "https://www.caf.fr/", 200, "x.example", false},
		{"override from the proxy's blocked page of that host", "http://x.example/page", 403, "X.example.", true},
		{"override from the proxy's blocked page of another host", "http://x.example/page", 403, "y.example", false},
		{"override from a refused host's page that is no refusal", "http://x.example/page", 200, "x.example", false},
		{"override of an already opened host", "https://www.ameli.fr/", 403, "www.ameli.fr", false},
		{"portal over https", "https://kiosk.invalid/", 200, "", false},
		{"built-in page", "about:blank", 0, "", false},
		{"nothing committed yet", "", 0, "x.example", false},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := n.pinCallAllowed(tc.committed, tc.status, tc.host); got != tc.want {
				t.Errorf("pinCallAllowed(%q, %d, %q) = %v, want %v", tc.committed, tc.status, tc.host, got, tc.want)
			}
		})
	}
}
