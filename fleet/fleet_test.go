package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/fleet"
)

func TestParseConfig(t *testing.T) {
	const pin = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
	testCases := []struct {
		name, yaml string
		wantErr    bool
	}{
		{"valid", "password: x\nterminals:\n  - url: https://annexe-nord:8443/\n    fingerprint: " + pin + "\n", false},
		{"unknown key", "password: x\nterminal: []\n", true},
		{"plain http", "password: x\nterminals:\n  - url: http://annexe-nord:8443\n    fingerprint: " + pin + "\n", true},
		{"path", "password: x\nterminals:\n  - url: https://annexe-nord:8443/stats\n    fingerprint: " + pin + "\n", true},
		{"short fingerprint", "password: x\nterminals:\n  - url: https://a:8443\n    fingerprint: AB:CD\n", true},
		{"no fingerprint", "password: x\nterminals:\n  - url: https://a:8443\n", true},
		{"twice", "password: x\nterminals:\n  - url: https://a:8443\n    fingerprint: " + pin + "\n  - url: https://A:8443/\n    fingerprint: " + pin + "\n", true},
		{"no password", "terminals:\n  - url: https://a:8443\n    fingerprint: " + pin + "\n", true},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := fleet.ParseConfig([]byte(tc.yaml))
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseConfig() error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, fleet.ErrConfig) {
				t.Errorf("error %v does not wrap ErrConfig", err)
			}
			if err == nil && (c.User != "admin" || c.Terminals[0].URL != "https://annexe-nord:8443") {
				t.Errorf("config = %+v, want user admin and the URL without its slash", c)
			}
		})
	}
}

func TestConfig_Select(t *testing.T) {
	a, b := newTerminal(t, "A", usageOf{}), newTerminal(t, "B", usageOf{})
	c := configFor(t, a, b)
	got, err := c.Select([]string{b.srv.URL + "/"})
	if err != nil || len(got) != 1 || got[0].URL != b.srv.URL {
		t.Fatalf("Select(B) = %+v, %v; want B only", got, err)
	}
	if _, err := c.Select([]string{"https://elsewhere:8443"}); !errors.Is(err, fleet.ErrConfig) {
		t.Errorf("Select(unknown) error = %v, want ErrConfig (no fingerprint known)", err)
	}
	if all, err := c.Select(nil); err != nil || len(all) != 2 {
		t.Errorf("Select(nil) = %d terminals, %v; want both", len(all), err)
	}
}

func TestOperatorOf(t *testing.T) {
	testCases := []struct {
		hosts []string
		want  string
	}{
		{[]string{"caf.fr"}, fleet.OperatorCAF},
		{[]string{"franceconnect.gouv.fr", "www.impots.gouv.fr"}, fleet.OperatorDGFiP},
		{[]string{"ANTS.gouv.fr."}, fleet.OperatorANTS},
		{[]string{"www.ameli.fr"}, fleet.OperatorCPAM},
		{[]string{"www.lassuranceretraite.fr"}, fleet.OperatorRetraite},
		{[]string{"candidat.francetravail.fr"}, fleet.OperatorFranceTravail},
		{[]string{"www.msa.fr"}, fleet.OperatorMSA},
		{[]string{"www.justice.fr"}, fleet.OperatorJustice},
		{[]string{"laposte.net"}, fleet.OperatorLaPoste},
		{[]string{"evilcaf.fr"}, ""},
		{[]string{"caf.fr.evil.example"}, ""},
		{[]string{"www.service-public.fr"}, ""},
	}
	for _, tc := range testCases {
		if got := fleet.OperatorOf(tc.hosts); got != tc.want {
			t.Errorf("OperatorOf(%q) = %q, want %q", tc.hosts, got, tc.want)
		}
	}
}

// rowOf finds a row by label.
func rowOf(t *testing.T, tab *fleet.Table, label string) fleet.Row {
	t.Helper()
	for _, s := range tab.Sections {
		for _, r := range s.Rows {
			if r.Label == label {
				return r
			}
		}
	}
	t.Fatalf("no row %q", label)
	return fleet.Row{}
}

// TestClient_Fetch reads three real terminals: the totals are the sums, a
// stopped terminal is named and left out of the totals, a terminal whose
// certificate is not the pinned one and a wrong password are refused.
func TestClient_Fetch(t *testing.T) {
	a := newTerminal(t, "Mairie", usageOf{sessions: 3, yes: 2, help: 1, sites: []string{"CAF"}})
	b := newTerminal(t, "CCAS", usageOf{sessions: 5, yes: 1, help: 4, sites: []string{"CAF", "Impôts", "Ville"}})
	c := newTerminal(t, "Annexe Nord", usageOf{sessions: 7})
	conf := configFor(t, a, b, c)
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local), time.Date(2026, 11, 30, 0, 0, 0, 0, time.Local)
	client := &fleet.Client{Timeout: 20 * time.Second}

	res := client.Fetch(context.Background(), conf.Terminals, "2026-11-01", "2026-11-30")
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.URL, r.Err)
		}
	}
	tab := fleet.NewTable(from, to, res)
	if got := []string{tab.Columns[0].Name, tab.Columns[1].Name, tab.Columns[2].Name}; strings.Join(got, ",") != "Mairie,CCAS,Annexe Nord" {
		t.Errorf("columns = %v, want the terminals' names in order", got)
	}
	for label, want := range map[string][4]uint64{
		"Sessions terminées": {3, 5, 7, 15},
		"Oui":                {2, 1, 0, 3},
		"Demandes d'aide":    {1, 4, 0, 5},
		fleet.OperatorCAF:    {3, 2, 0, 5},
		fleet.OperatorDGFiP:  {0, 2, 0, 2},
		fleet.OtherSites:     {0, 1, 0, 1},
		"Durée totale":       {30, 50, 70, 150},
		// The fleet was open one day (the same day on each terminal).
		"Jours avec au moins une session": {1, 1, 1, 1},
	} {
		r := rowOf(t, tab, label)
		got := [4]uint64{r.Cells[0].N, r.Cells[1].N, r.Cells[2].N, r.Total.N}
		if got != want {
			t.Errorf("row %q = %v, want %v", label, got, want)
		}
	}

	c.srv.Close() // stopped
	bad := conf.Terminals[1]
	bad.Fingerprint = strings.Repeat("00", 32)
	badConf, err := fleet.ParseConfig([]byte("password: x\nterminals:\n  - url: " + bad.URL + "\n    fingerprint: '" + bad.Fingerprint + "'\n"))
	if err != nil {
		t.Fatal(err)
	}
	wrongPass, err := fleet.ParseConfig([]byte("password: wrong-password-here\nterminals:\n  - url: " + a.srv.URL + "\n    fingerprint: " + a.fingerprint() + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	ts := []fleet.Terminal{conf.Terminals[0], badConf.Terminals[0], conf.Terminals[2], wrongPass.Terminals[0]}
	res = client.Fetch(context.Background(), ts, "2026-11-01", "2026-11-30")
	if res[0].Err != nil {
		t.Errorf("Mairie: %v", res[0].Err)
	}
	if !errors.Is(res[1].Err, fleet.ErrFingerprint) || res[1].Report != nil {
		t.Errorf("wrong fingerprint: err = %v, report %v; want ErrFingerprint and no figures", res[1].Err, res[1].Report)
	}
	if res[2].Err == nil {
		t.Errorf("stopped terminal: no error")
	}
	if !errors.Is(res[3].Err, fleet.ErrUnauthorized) {
		t.Errorf("wrong password: err = %v, want ErrUnauthorized", res[3].Err)
	}
	tab = fleet.NewTable(from, to, res)
	if tab.Missing != 3 {
		t.Errorf("Missing = %d, want 3", tab.Missing)
	}
	if r := rowOf(t, tab, "Sessions terminées"); r.Total.N != 3 || r.Cells[2].Set {
		t.Errorf("totals = %d (stopped terminal set: %v), want only the Mairie's 3", r.Total.N, r.Cells[2].Set)
	}

	var html bytes.Buffer
	if err := fleet.WriteHTML(&html, tab, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="missing"`, "3 borne(s) non comptée(s)", "certificat refusé", "borne injoignable", c.srv.URL, "du 1er novembre 2026 au 30 novembre 2026"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	var csv bytes.Buffer
	if err := fleet.WriteCSV(&csv, tab); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(csv.String(), "\r\n")
	if !strings.HasPrefix(lines[0], "\ufeffPériode 2026-11-01 – 2026-11-30;Mairie;") || !strings.HasSuffix(lines[0], ";Total") {
		t.Errorf("CSV header = %q", lines[0])
	}
	if !strings.Contains(csv.String(), "\r\nSessions terminées;3;;;;3\r\n") {
		t.Errorf("CSV lacks the sessions row with empty cells for the terminals not counted:\n%s", csv.String())
	}
	if !strings.Contains(lines[2], "non comptée : certificat refusé") {
		t.Errorf("CSV state row = %q, want the refused certificate named", lines[2])
	}
}
