package allowlist_test

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strings"
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
	if len(l.PublicSites()) < 20 || len(l.SupervisedSites()) < 6 {
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
		"www.impots.gouv.fr", "cfspart.impots.gouv.fr", "idp.impots.gouv.fr", "cfspart-idp.impots.gouv.fr",
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
		"mail.google.com", "outlook.live.com", "mail.orange.fr", "interieur.gouv.fr", "data.gouv.fr",
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

// shippedCategories are the categories of the shipped file's sites, those
// residents and France Services offices think in.
var shippedCategories = []string{
	"démarches", "famille", "santé", "impôts", "emploi", "retraite", "identité et titres",
	"logement et énergie", "étrangers", "handicap", "études", "justice", "ville", "messagerie",
}

func TestShippedAllowlist_sites(t *testing.T) {
	l, err := allowlist.Load(shippedFile)
	if err != nil {
		t.Fatal(err)
	}
	tiles := 0
	for _, s := range l.Sites {
		if !slices.Contains(shippedCategories, s.Category) {
			t.Errorf("site %q: category %q is not one of %v", s.Name, s.Category, shippedCategories)
		}
		if s.Home != "" {
			tiles++
		}
		if (s.Category == "messagerie") != (s.Group == allowlist.Supervised) {
			t.Errorf("site %q (category %q) is in the %s group: webmail, and only webmail, ships supervised", s.Name, s.Category, s.Group)
		}
	}
	if tiles < 25 {
		t.Errorf("shipped allowlist: %d tiles, want the procedures' 25 or more", tiles)
	}
	var webmail []string
	for _, s := range l.SupervisedSites() {
		webmail = append(webmail, s.Name)
	}
	for _, want := range []string{"Orange", "Free", "SFR", "La Poste", "Gmail", "Outlook"} {
		if !slices.ContainsFunc(webmail, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("shipped allowlist: no %s webmail among the supervised sites %v", want, webmail)
		}
	}
	// The shared logins have no tile (FranceConnect and its providers).
	for _, s := range l.Sites {
		if s.Name == "FranceConnect" && s.Home != "" {
			t.Errorf("FranceConnect has a tile (home %q)", s.Home)
		}
	}
}

// procedureStep is one line of testdata/procedures.txt.
type procedureStep struct {
	line    int
	verdict string // allow, supervised or deny
	url     string
}

// readProcedures reads testdata/procedures.txt: "VERDICT URL" lines,
// blank lines and "#" comments.
func readProcedures(t *testing.T) []procedureStep {
	t.Helper()
	f, err := os.Open("testdata/procedures.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []procedureStep
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || !slices.Contains([]string{"allow", "supervised", "deny"}, fields[0]) {
			t.Fatalf("procedures.txt:%d: %q is not \"allow|supervised|deny URL\"", n, line)
		}
		steps = append(steps, procedureStep{n, fields[0], fields[1]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// checkProcedures runs every step against l; open says whether the
// supervised steps are open to every resident (self_service).
func checkProcedures(t *testing.T, l *allowlist.List, steps []procedureStep, open bool) {
	t.Helper()
	for _, st := range steps {
		wantPublic := st.verdict == "allow" || open && st.verdict == "supervised"
		wantSupervised := st.verdict != "deny"
		for _, sup := range []bool{false, true} {
			want := wantPublic
			if sup {
				want = wantSupervised
			}
			d, err := l.MatchURL(st.url, sup)
			if want && err != nil {
				t.Errorf("procedures.txt:%d: %s: %v", st.line, st.url, err)
				continue
			}
			if d.Allowed != want {
				t.Errorf("procedures.txt:%d: MatchURL(%s, supervised=%v) allowed = %v, want %v (%s)", st.line, st.url, sup, d.Allowed, want, st.verdict)
			}
		}
	}
}

func TestShippedAllowlist_procedures(t *testing.T) {
	l, err := allowlist.Load(shippedFile)
	if err != nil {
		t.Fatal(err)
	}
	steps := readProcedures(t)
	count := map[string]int{}
	for _, st := range steps {
		count[st.verdict]++
	}
	if count["allow"] < 30 || count["supervised"] < 12 || count["deny"] < 5 {
		t.Fatalf("procedures.txt has %v steps: too few to cover the procedures", count)
	}
	checkProcedures(t, l, steps, false)
}

// TestShippedAllowlist_webmailSelfService opens the messagerie category
// the way docs/allowlist.md tells a town to: the webmail steps then pass
// in every session, and nothing else changes.
func TestShippedAllowlist_webmailSelfService(t *testing.T) {
	data, err := os.ReadFile(shippedFile)
	if err != nil {
		t.Fatal(err)
	}
	const off = "\n# self_service: [messagerie]\n"
	if !bytes.Contains(data, []byte(off)) {
		t.Fatalf("the shipped file no longer has the line %q that docs/allowlist.md tells towns to uncomment", off)
	}
	data = bytes.Replace(data, []byte(off), []byte("\nself_service: [messagerie]\n"), 1)
	l, err := allowlist.Parse(data, "opened.yaml")
	if err != nil {
		t.Fatalf("the shipped file with self_service uncommented does not validate:\n%v", err)
	}
	if len(l.SupervisedSites()) != 0 || !slices.Equal(l.SelfService, []string{"messagerie"}) {
		t.Errorf("after self_service: %d supervised sites left, SelfService %v", len(l.SupervisedSites()), l.SelfService)
	}
	checkProcedures(t, l, readProcedures(t), true)
}
