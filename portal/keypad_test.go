package portal_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/portal"
)

func TestHandler_WelcomeModes(t *testing.T) {
	testCases := []struct {
		mode       string
		want, not  []string
		wantKeypad bool
	}{{
		mode: "",
		want: []string{`data-start>Commencer</a></p>`, `"mode":"self-service"`},
		not:  []string{"data-unlock>", "un agent ouvre votre session"},
	}, {
		mode: "mixed",
		want: []string{`data-start>Commencer</a> <a class="btn big secondary" href="http://kiosk.invalid/home?lang=fr" data-unlock>Session accompagnée</a>`, `"mode":"mixed"`},
		not:  []string{"un agent ouvre votre session"},
	}, {
		mode: "supervised-only",
		want: []string{`<p class="notice agent">Sur cette borne, un agent ouvre votre session avec son code.`, `"mode":"supervised-only"`},
		not:  []string{"data-unlock>"},
	}}
	for _, tc := range testCases {
		t.Run(tc.mode, func(t *testing.T) {
			h := newHandler(t, portal.Config{Mode: tc.mode})
			rec := get(t, h, "/")
			body := rec.Body.String()
			for _, w := range append(tc.want, `id="keypad" hidden`, `<div class="keys" dir="ltr">`, `data-key="ok">Valider</button>`, `"pin.locked":"Trop d’essais. Réessayez dans {t}."`) {
				if !strings.Contains(body, w) {
					t.Errorf("welcome page lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("welcome page has %q", n)
				}
			}
			checkCSP(t, rec)
		})
	}
	if _, err := portal.New(&portal.Config{Allowlist: func() *allowlist.List { return nil }, Mode: "kiosk"}); err == nil {
		t.Error("New with an unknown mode succeeded")
	}
}

func TestHandler_KeypadEveryLanguage(t *testing.T) {
	h := newHandler(t, portal.Config{Mode: "mixed"})
	keys := regexp.MustCompile(`<button [^>]*data-key="([0-9a-z]+)"`)
	for _, l := range portal.Languages {
		t.Run(l.Code, func(t *testing.T) {
			body := get(t, h, "/blocked?host=www.ameli.fr&lang="+l.Code).Body.String()
			var got []string
			for _, m := range keys.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, " ") != "1 2 3 4 5 6 7 8 9 back 0 ok cancel" {
				t.Errorf("keys %v, want the digits in order, back, 0, ok, cancel", got)
			}
			// The override text names the host, left to right.
			if !strings.Contains(body, `<span class="host" dir="ltr">www.ameli.fr</span>`) || !strings.Contains(body, `"host":"www.ameli.fr"`) {
				t.Errorf("blocked page keypad does not name the host")
			}
			if strings.Contains(body, "{host}") || strings.Contains(body, "{name}") {
				t.Errorf("unfilled placeholder in the page")
			}
		})
	}
}
