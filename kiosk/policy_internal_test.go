package kiosk

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
		want      navAction
		wantTo    string
	}{
		{"allowed", "https://www.caf.fr/x?y=1", false, navUse, ""},
		{"allowed apex", "http://caf.fr/", false, navUse, ""},
		{"portal", "http://kiosk.invalid/home?lang=fr", false, navUse, ""},
		{"portal https refused", "https://kiosk.invalid/", false, navRedirect, "http://kiosk.invalid/blocked?host=kiosk.invalid&lang=fr"},
		{"refused", "https://evilcaf.fr/", false, navRedirect, "http://kiosk.invalid/blocked?host=evilcaf.fr&lang=fr"},
		{"suffix trick", "https://caf.fr.evil.example/", false, navRedirect, "http://kiosk.invalid/blocked?host=caf.fr.evil.example&lang=fr"},
		{"supervised site in a public session", "https://laposte.net/", false, navRedirect, "http://kiosk.invalid/blocked?host=laposte.net&lang=fr"},
		{"IP literal", "http://127.0.0.1/", false, navRedirect, "http://kiosk.invalid/blocked?host=127.0.0.1&lang=fr"},
		{"other port", "https://www.caf.fr:8443/", false, navRedirect, "http://kiosk.invalid/blocked?host=www.caf.fr&lang=fr"},
		{"file", "file:///etc/passwd", false, navIgnore, ""},
		{"data", "data:text/html,hi", false, navIgnore, ""},
		{"javascript", "javascript:alert(1)", false, navIgnore, ""},
		{"about:blank", "about:blank", false, navUse, ""},
		{"about:config", "about:config", false, navIgnore, ""},
		{"mailto", "mailto:a@caf.fr", false, navIgnore, ""},
		{"blob of allowed origin", "blob:https://www.caf.fr/0b1f", false, navUse, ""},
		{"blob of refused origin", "blob:https://evil.example/0b1f", false, navIgnore, ""},
		{"new window allowed", "https://www.caf.fr/doc", true, navRedirect, "https://www.caf.fr/doc"},
		{"new window refused", "https://evil.example/", true, navRedirect, "http://kiosk.invalid/blocked?host=evil.example&lang=fr"},
		{"new window about:blank", "about:blank", true, navIgnore, ""},
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
	if got, _ := n.decide("https://laposte.net/", false); got != navUse {
		t.Errorf("decide(laposte.net) in a supervised session = %v, want navUse", got)
	}
}

func TestNavigator_NoListRefusesAllButPortal(t *testing.T) {
	n := &navigator{}
	if got, _ := n.decide("https://www.caf.fr/", false); got != navRedirect {
		t.Errorf("decide without a list = %v, want navRedirect (blocked)", got)
	}
	if got, _ := n.decide("http://kiosk.invalid/", false); got != navUse {
		t.Errorf("decide(portal) without a list = %v, want navUse", got)
	}
}

func TestFrameDecide(t *testing.T) {
	testCases := []struct {
		url  string
		want navAction
	}{
		{"https://ads.example/frame", navUse}, // the proxy refuses it
		{"about:srcdoc", navUse},
		{"blob:https://www.caf.fr/x", navUse},
		{"file:///etc/passwd", navIgnore},
		{"data:text/html,x", navIgnore},
		{"ftp://caf.fr/", navIgnore},
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
		want navAction
	}{
		{"overridden host", "https://www.ameli.fr/compte", navUse},
		{"overridden host, explicit default port", "http://www.ameli.fr:80/", navUse},
		{"overridden host, upper case and trailing dot", "https://WWW.AMELI.FR./", navUse},
		{"overridden host, other port", "https://www.ameli.fr:8443/", navRedirect},
		{"subdomain of an overridden host", "https://x.www.ameli.fr/", navRedirect},
		{"parent of an overridden host", "https://ameli.fr/", navRedirect},
		{"IP given as an override", "http://127.0.0.1/", navRedirect},
		{"supervised site, session not supervised", "https://laposte.net/", navRedirect},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := n.decide(tc.url, false); got != tc.want {
				t.Errorf("decide(%q) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}

	n.setSession(true, []string{"www.ameli.fr"})
	if got, _ := n.decide("https://laposte.net/", false); got != navUse {
		t.Errorf("decide(laposte.net) supervised = %v, want navUse", got)
	}
	// The session ends: the state carries neither any more.
	n.setSession(false, nil)
	for _, u := range []string{"https://laposte.net/", "https://www.ameli.fr/"} {
		if got, _ := n.decide(u, false); got != navRedirect {
			t.Errorf("decide(%q) after the session = %v, want navRedirect", u, got)
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
