package admin

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// When the browser no longer starts, the "État du système" block says so
// in red and names the update that preceded it.
func TestServer_SystemBlockBrowserOutOfOrder(t *testing.T) {
	f := newFixture(t)
	msg := "Le navigateur ne démarre plus depuis la mise à jour du 07/12/2026 à 06:31 (libwebkit2gtk-4.0-37, libjavascriptcoregtk-4.0-18)"
	f.setStatus(func(s *Status) {
		s.System = &SystemStatus{
			KioskVersion: "1.4.0", Waiting: 0, Window: "22:00-06:00",
			BrowserFailures: 4, BrowserOutOfOrder: true, BrowserMessage: msg,
			BrowserSince:          time.Date(2026, 12, 7, 6, 40, 0, 0, time.Local),
			BrowserUpdateAt:       time.Date(2026, 12, 7, 6, 31, 2, 0, time.Local),
			BrowserUpdatePackages: []string{"libwebkit2gtk-4.0-37", "libjavascriptcoregtk-4.0-18"},
			BrowserError:          "exit status 127",
		}
	})
	f.setPassword()
	c := f.client()
	f.login(c)
	resp, body := f.get(c, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %s", resp.Status)
	}
	for _, want := range []string{
		`<span class="bad">Le navigateur ne démarre plus depuis la mise à jour du 07/12/2026 à 06:31 (libwebkit2gtk-4.0-37, libjavascriptcoregtk-4.0-18)</span>`,
		"4 démarrages échoués de suite (kiosk_browser_start_failures)",
		"dernière cause : exit status 127",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}

	// Back in order: no red line, no browser row.
	f.setStatus(func(s *Status) {
		s.System.BrowserFailures, s.System.BrowserOutOfOrder, s.System.BrowserMessage = 0, false, ""
	})
	_, body = f.get(c, "/")
	if strings.Contains(body, "ne démarre plus") || strings.Contains(body, `id="system-browser"`) {
		t.Error("the browser's row is still shown once a start worked")
	}
}
