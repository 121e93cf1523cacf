package allowlist_test

import (
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// shippedFile is the default allowlist the packages install.
const shippedFile = "../allowlist.yaml"

func TestShippedAllowlist_homes(t *testing.T) {
	l, err := allowlist.Load(shippedFile)
	if err != nil {
		t.Fatalf("the shipped allowlist does not validate:\n%v", err)
	}
	if len(l.PublicSites()) < 10 || len(l.SupervisedSites()) == 0 {
		t.Fatalf("shipped allowlist: %d public and %d supervised sites", len(l.PublicSites()), len(l.SupervisedSites()))
	}
	for _, s := range l.Sites {
		if s.Home == "" {
			continue
		}
		d, err := l.MatchURL(s.Home, s.Group == allowlist.Supervised)
		if err != nil || !d.Allowed || d.Site() != s {
			t.Errorf("site %q: home %q is not allowed by its own hosts (%v, %v)", s.Name, s.Home, d, err)
		}
		if s.Group == allowlist.Supervised {
			if d, _ := l.MatchURL(s.Home, false); d.Allowed {
				t.Errorf("supervised site %q: home %q allowed in a public session", s.Name, s.Home)
			}
		}
	}
}

func TestShippedAllowlist_hosts(t *testing.T) {
	l, err := allowlist.Load(shippedFile)
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{
		"www.service-public.fr", "www.service-public.gouv.fr",
		"www.caf.fr", "wwwd.caf.fr",
		"www.ameli.fr", "assure.ameli.fr",
		"www.impots.gouv.fr", "cfspart.impots.gouv.fr", "idp.impots.gouv.fr",
		"www.francetravail.fr", "candidat.francetravail.fr",
		"www.pole-emploi.fr", "candidat.pole-emploi.fr", "authentification-candidat.pole-emploi.fr",
		"ants.gouv.fr", "moncompte.ants.gouv.fr",
		"www.info-retraite.fr", "www.lassuranceretraite.fr", "www.msa.fr",
		"www.mesdroitssociaux.gouv.fr",
		"app.franceconnect.gouv.fr", "oidc.franceconnect.gouv.fr", "auth.franceconnect.gouv.fr",
	}
	for _, h := range allowed {
		if !l.Match(h, 0, false).Allowed {
			t.Errorf("shipped allowlist: %s is not allowed", h)
		}
	}
	denied := []string{
		"impots.gouv.fr", "x.www.impots.gouv.fr", "gouv.fr", "pole-emploi.fr", "evilcaf.fr",
		"caf.fr.evil.example", "www.laposte.net", "www.google.com", "mairie-exemple.fr",
	}
	for _, h := range denied {
		if l.Match(h, 0, false).Allowed {
			t.Errorf("shipped allowlist: %s is allowed in a public session", h)
		}
	}
	if !l.Match("www.laposte.net", 0, true).Allowed {
		t.Error("shipped allowlist: www.laposte.net is not allowed in a supervised session")
	}
	if l.Match("www.caf.fr", 8080, true).Allowed {
		t.Error("shipped allowlist: a port nobody listed is allowed")
	}
}
