package admin

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServer_SystemBlock(t *testing.T) {
	f := newFixture(t)
	since := time.Date(2026, 11, 20, 23, 0, 0, 0, time.Local)
	f.setStatus(func(s *Status) {
		s.System = &SystemStatus{
			KioskVersion: "1.4.0", WebKitVersion: "2.46.6-1~deb12u1",
			LastRun: time.Date(2026, 11, 21, 6, 31, 0, 0, time.Local), LastResult: "ok",
			LastPackages: []string{"libwebkit2gtk-4.0-37", "libjavascriptcoregtk-4.0-18"},
			Waiting:      2, Window: "22:00-06:00", Pending: "reboot", PendingSince: since, Overdue: true,
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
		"État du système",
		"installée (libwebkit2gtk-4.0-37, libjavascriptcoregtk-4.0-18)",
		`<td id="system-waiting">2</td>`,
		`<span class="bad">redémarrage de la borne depuis le`,
		"plus de 7 jours",
		"2.46.6-1~deb12u1", "1.4.0", "22:00-06:00",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}

	f.setStatus(func(s *Status) { s.System.Overdue = false; s.System.LastResult = "Cache has broken packages, exiting" })
	_, body = f.get(c, "/")
	if strings.Contains(body, `<span class="bad">redémarrage`) || !strings.Contains(body, `<span class="bad">échec : Cache has broken packages, exiting</span>`) {
		t.Errorf("a reboot pending less than 7 days is in red, or the failed run is not")
	}
}
