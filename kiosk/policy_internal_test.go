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
