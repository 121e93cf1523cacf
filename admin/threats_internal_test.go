package admin

import (
	"net/http"
	"strings"
	"testing"
)

// TestServer_DashboardThreats: the dashboard lists the antivirus's
// refusals on residents' USB keys by signature name and count, and says
// when there was none.
func TestServer_DashboardThreats(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	f.setPassword()
	f.login(c)
	resp, body := f.get(c, "/?p=today")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="no-threats"`) || strings.Contains(body, `id="threats"`) {
		t.Fatalf("GET / without threats = %s, want \"Aucune menace détectée\"", resp.Status)
	}
	for _, sig := range []string{"Win.Test.EICAR_HDB-1", "Win.Test.EICAR_HDB-1", "Kiosk.Test.Custom.UNOFFICIAL"} {
		if err := f.store.Threat(sig); err != nil {
			t.Fatal(err)
		}
	}
	resp, body = f.get(c, "/?p=today")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %s", resp.Status)
	}
	i := strings.Index(body, `id="threats"`)
	if i < 0 {
		t.Fatal("no threats table on the dashboard")
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	eicar := strings.Index(table, "<td>Win.Test.EICAR_HDB-1</td><td class=\"n\">2</td>")
	custom := strings.Index(table, "<td>Kiosk.Test.Custom.UNOFFICIAL</td><td class=\"n\">1</td>")
	if eicar < 0 || custom < 0 || custom < eicar {
		t.Errorf("threats table, want EICAR 2 then Custom 1:\n%s", table)
	}
}
