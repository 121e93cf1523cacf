package browser

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/communes/kiosk/portal"
)

// kioskSpeak's argument: one object of known fields, a known request, a
// bounded text and count; anything else is refused.
func TestParseSpeak_Refuses(t *testing.T) {
	for _, bad := range [][]string{
		nil,
		{`{"do":"page"}`, `{"do":"page"}`},
		{`"page"`},
		{`{"do":"shout"}`},
		{`{"do":"page","cmd":"rm -rf /"}`},
		{`{"do":"page","text":"` + strings.Repeat("a", maxSpeakText+1) + `"}`},
		{`{"do":"idle","n":-1}`},
		{`{"do":"idle","n":1e9}`},
	} {
		var args []json.RawMessage
		for _, a := range bad {
			args = append(args, json.RawMessage(a))
		}
		if r, err := parseSpeak(args); err == nil {
			t.Errorf("parseSpeak(%.60q) = %+v, want an error", bad, r)
		}
	}
	for _, ok := range []string{`{"do":"stop"}`, `{"do":"page","lang":"en","text":"Hello"}`, `{"do":"idle","n":30}`, `{"do":"help-taken"}`} {
		if _, err := parseSpeak([]json.RawMessage{json.RawMessage(ok)}); err != nil {
			t.Errorf("parseSpeak(%s): %v", ok, err)
		}
	}
}

// What is read where: the kiosk's own texts on its screens, in the page's
// or the session's language; a site's text in the page's language.
func TestSpeakable(t *testing.T) {
	for _, c := range []struct {
		name    string
		r       speakRequest
		page    string
		blocked bool
		session string
		want    utterance
	}{
		{"welcome in English", speakRequest{Do: "page", Lang: "en"}, "http://kiosk.invalid/?lang=en", false, "",
			utterance{"welcome", "en", portal.Spoken("welcome", "en", "", 0)}},
		{"welcome, lang from the URL", speakRequest{Do: "page"}, "http://kiosk.invalid/?lang=ar", false, "fr",
			utterance{"welcome", "ar", portal.Spoken("welcome", "ar", "", 0)}},
		{"the page's text is ignored on the portal", speakRequest{Do: "page", Lang: "ru", Text: "injected"}, "http://kiosk.invalid/end?lang=ru", false, "ru",
			utterance{"end", "ru", portal.Spoken("end", "ru", "", 0)}},
		{"portal's blocked page names its host", speakRequest{Do: "page", Lang: "fr"}, "http://kiosk.invalid/blocked?host=evil.example&lang=fr", false, "fr",
			utterance{"blocked", "fr", portal.Spoken("blocked", "fr", "evil.example", 0)}},
		{"a host that is no host is not read", speakRequest{Do: "page", Lang: "fr"}, "http://kiosk.invalid/blocked?host=Appelez+le+0800", false, "fr",
			utterance{"blocked", "fr", portal.Spoken("blocked", "fr", "", 0)}},
		{"proxy's blocked page, session language", speakRequest{Do: "page", Lang: "en", Text: "x"}, "http://blocked.example/", true, "tr",
			utterance{"blocked", "tr", portal.Spoken("blocked", "tr", "blocked.example", 0)}},
		{"countdown in the session's language", speakRequest{Do: "idle", Lang: "fr", N: 20}, "https://www.caf.fr/", false, "es",
			utterance{"idle", "es", portal.Spoken("idle", "es", "", 20)}},
		{"help confirmation", speakRequest{Do: "help"}, "https://www.caf.fr/", false, "pt",
			utterance{"help", "pt", portal.Spoken("help", "pt", "", 0)}},
		{"site text in the page's language", speakRequest{Do: "page", Lang: "en-GB", Text: "Hello"}, "https://www.caf.fr/", false, "ar",
			utterance{"text", "en", "Hello"}},
		{"site text, no known language: French", speakRequest{Do: "page", Lang: "de", Text: "Hallo"}, "https://www.caf.fr/", false, "ar",
			utterance{"text", "fr", "Hallo"}},
	} {
		got, err := speakable(c.r, c.page, c.blocked, c.session)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	for _, c := range []struct {
		r    speakRequest
		page string
	}{
		{speakRequest{Do: "page", Text: "  "}, "https://www.caf.fr/"},
		{speakRequest{Do: "page"}, "http://kiosk.invalid/keypad-unknown"},
	} {
		if got, err := speakable(c.r, c.page, false, "fr"); err == nil {
			t.Errorf("speakable(%+v, %s) = %+v, want an error", c.r, c.page, got)
		}
	}
}

// The shell reads the countdown as it starts and the warning as it
// appears, nothing else.
func TestSpokenByShell(t *testing.T) {
	active := sessionClock{State: "active", Lang: "en", Remaining: 1200}
	countdown := sessionClock{State: "countdown", Lang: "en", Countdown: 30}
	warned := sessionClock{State: "active", Lang: "en", Remaining: 290, Warning: true}
	if u, ok := spokenByShell(active, countdown); !ok || u != (utterance{"idle", "en", portal.Spoken("idle", "en", "", 30)}) {
		t.Errorf("countdown: %+v %v", u, ok)
	}
	if u, ok := spokenByShell(active, warned); !ok || u.what != "warn" || !strings.Contains(u.text, " 5 ") {
		t.Errorf("warning: %+v %v", u, ok)
	}
	for _, c := range [][2]sessionClock{{countdown, countdown}, {warned, warned}, {countdown, active}, {active, active}} {
		if u, ok := spokenByShell(c[0], c[1]); ok {
			t.Errorf("%+v → %+v: read %+v", c[0], c[1], u)
		}
	}
}
