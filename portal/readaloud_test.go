package portal

import (
	"strings"
	"testing"
)

// Every screen read aloud has its text in every language, with its
// placeholders filled, each message a sentence.
func TestSpoken_EveryScreenEveryLanguage(t *testing.T) {
	for _, l := range Languages {
		for _, screen := range SpokenScreens() {
			got := Spoken(screen, l.Code, "www.exemple.fr", 12)
			if got == "" || strings.ContainsAny(got, "{}") {
				t.Errorf("%s %s: %q", l.Code, screen, got)
			}
			for _, k := range spokenScreens[screen] {
				if k == "blocked.text" || strings.Contains(messages[l.Code][k], "{") {
					continue
				}
				if !strings.Contains(got, messages[l.Code][k]) {
					t.Errorf("%s %s lacks %s %q: %q", l.Code, screen, k, messages[l.Code][k], got)
				}
			}
		}
		if s := messages[l.Code]["bar.listen"]; s == "" || messages[l.Code]["bar.stop"] == "" {
			t.Errorf("%s: no Écouter/Stop labels", l.Code)
		}
	}
}

func TestSpoken_Fills(t *testing.T) {
	for _, c := range []struct {
		screen, host string
		n            int
		want         string
	}{
		{"welcome", "", 0, "Bienvenue. Sur cette borne"},
		{"idle", "", 27, "Vous êtes toujours là ? Sans action de votre part, votre session se termine dans 27 secondes"},
		{"warn", "", 5, "se termine dans 5 minutes."},
		{"blocked", "evil.example", 0, "Le site evil.example ne fait pas partie"},
		{"blocked", "", 0, "disponible sur cette borne. Ce site ne fait pas partie"},
	} {
		if got := Spoken(c.screen, "fr", c.host, c.n); !strings.Contains(got, c.want) {
			t.Errorf("Spoken(%s, %q, %d) = %q, want it to contain %q", c.screen, c.host, c.n, got, c.want)
		}
	}
	if got := Spoken("nothing", "fr", "", 0); got != "" {
		t.Errorf("an unknown screen: %q", got)
	}
	if got, want := Spoken("end", "de", "", 0), Spoken("end", "fr", "", 0); got != want {
		t.Errorf("a language without texts: %q, want French %q", got, want)
	}
}
