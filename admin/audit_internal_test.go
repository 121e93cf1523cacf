package admin

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAudit_PageAndCSV(t *testing.T) {
	f := newFixture(t)
	f.setPassword()
	c := f.client()
	f.login(c) // audited: "admin login admin" at 14:30
	day := f.clock.Now()
	f.store.Audit(day.Add(-4*time.Hour), "Marie", "extend", "+15m0s")
	f.store.Audit(day.Add(-3*time.Hour), "=HYPERLINK(\"x\")", "pin_failed", "override cdn.caf.fr")
	f.store.Audit(day.Add(-24*time.Hour), "Paul", "end", "") // the day before

	resp, body := f.get(c, "/audit?p=today")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /audit: %s", resp.Status)
	}
	for _, want := range []string{"Prolongation de la session", "15 min de plus", "ouverture de cdn.caf.fr",
		"Connexion à l&#39;administration", `href="/audit.csv?from=2026-11-25&amp;to=2026-11-25"`} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(body, "Paul") {
		t.Error("audit page of today shows yesterday's entry")
	}

	resp, body = f.get(c, "/audit.csv?from=2026-11-24&to=2026-11-25")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "kiosk-journal-2026-11-24-2026-11-25.csv") {
		t.Fatalf("GET /audit.csv: %s %q %q", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	want := "\ufeffDate;Agent;Action;Détail;Code\r\n" +
		"2026-11-24 14:30;Paul;Session terminée à distance;;end\r\n" +
		"2026-11-25 10:30;Marie;Prolongation de la session;15 min de plus;extend\r\n" +
		"2026-11-25 11:30;\"'=HYPERLINK(\"\"x\"\")\";Code PIN erroné;ouverture de cdn.caf.fr;pin_failed\r\n" +
		"2026-11-25 14:30;admin;Connexion à l'administration;rôle administrateur;login\r\n"
	if body != want {
		t.Errorf("audit CSV =\n%q\nwant\n%q", body, want)
	}

	if resp, _ = f.get(c, "/audit.csv?from=2026-11-25&to=2026-11-01"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reversed range: %s, want 400", resp.Status)
	}
}

func TestAudit_DetailLabels(t *testing.T) {
	testCases := []struct{ action, detail, want string }{
		{"extend", "+15m0s", "15 min de plus"},
		{"extend", "+1h30m0s", "1 h 30 min de plus"},
		{"help_taken", "2m30s", "après 2 min 30 s"},
		{"pin_lockout", "30s", "pendant 30 s"},
		{"unlock", "start", "nouvelle session accompagnée"},
		{"unlock", "upgrade", "session passée en accompagnée"},
		{"message", "set", "affiché"},
		{"pin_failed", "unlock", "déverrouillage"},
		{"override", "cdn.caf.fr", "cdn.caf.fr"},
		{"unknown_action", "free text", "free text"},
	}
	for _, tc := range testCases {
		if got := detailLabel(tc.action, tc.detail); got != tc.want {
			t.Errorf("detailLabel(%q, %q) = %q, want %q", tc.action, tc.detail, got, tc.want)
		}
	}
}
