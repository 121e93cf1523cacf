package portal_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/portal"
)

// shippedHandler serves the portal with the shipped allowlist.yaml.
func shippedHandler(t *testing.T, supervised bool) (*portal.Handler, *allowlist.List) {
	t.Helper()
	l, err := allowlist.Load(filepath.Join("..", "allowlist.yaml"))
	if err != nil {
		t.Fatalf("loading the shipped allowlist: %v", err)
	}
	return handlerFor(t, l, supervised), l
}

// handlerFor serves the portal with list l.
func handlerFor(t *testing.T, l *allowlist.List, supervised bool) *portal.Handler {
	t.Helper()
	h, err := portal.New(&portal.Config{
		Allowlist:  func() *allowlist.List { return l },
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Supervised: func() bool { return supervised },
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// headingRE finds the headings of the groups of tiles.
var headingRE = regexp.MustCompile(`<h3><img src="http://kiosk.invalid/icons/default/([a-z]+)\.svg" alt="">([^<]*)</h3>`)

// headings returns the "slug heading" pairs of a page's groups, in order.
func headings(body string) []string {
	var out []string
	for _, m := range headingRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

func TestHandler_TilesGroupedByCategory(t *testing.T) {
	h := newHandler(t, portal.Config{})
	body := get(t, h, "/").Body.String()
	want := []string{"famille Famille", "impots Impôts", "autre culture"}
	if got := headings(body); !slices.Equal(got, want) {
		t.Errorf("welcome page groups %q, want %q (file order; a town's own category as written)", got, want)
	}
	// The site's own icon is on its tile; the category's pictogram on the
	// heading only.
	caf := body[strings.Index(body, "go?site=CAF"):]
	caf = caf[:strings.Index(caf, "</a>")]
	if !strings.Contains(caf, `src="http://kiosk.invalid/icons/caf.svg"`) || strings.Contains(caf, "default/") {
		t.Errorf("CAF tile %q: want its own icon only", caf)
	}

	supervised := newHandler(t, portal.Config{Supervised: func() bool { return true }})
	want = append(want, "ville Ville")
	if got := headings(get(t, supervised, "/home?lang=fr").Body.String()); !slices.Equal(got, want) {
		t.Errorf("supervised start page groups %q, want %q", got, want)
	}
}

func TestHandler_ShippedTilesGroups(t *testing.T) {
	h, l := shippedHandler(t, true)
	var want []string
	for _, s := range l.Sites {
		if s.Home == "" {
			continue
		}
		if k := allowlist.CategoryKey(s.Category); !slices.Contains(want, k) {
			want = append(want, k)
		}
	}
	body := get(t, h, "/home?lang=en").Body.String()
	var got []string
	for _, hd := range headings(body) {
		slug, label, _ := strings.Cut(hd, " ")
		if slug == "autre" {
			t.Errorf("shipped category shown as %q: the portal does not know it", label)
		}
		got = append(got, slug)
	}
	if len(got) != len(want) || len(got) < 13 {
		t.Fatalf("groups %q for the file's categories %q", got, want)
	}
	for _, label := range []string{"General services", "Identity and documents", "Housing and energy", "Foreign nationals", "Disability", "Studies", "Justice", "Email"} {
		if !strings.Contains(body, ">"+label+"</h3>") {
			t.Errorf("English start page lacks the heading %q", label)
		}
	}
	if n := strings.Count(body, `class="tile"`); n < 30 {
		t.Errorf("supervised start page has %d tiles, want the shipped file's 30 or more", n)
	}
}

// webmailLine is the French hint of the blocked page for a webmail.
const webmailLine = "C’est une messagerie. Un agent peut l’ouvrir pour vous pendant cette session"

func TestHandler_BlockedWebmail(t *testing.T) {
	h, _ := shippedHandler(t, false)
	testCases := []struct {
		host string
		want bool
	}{
		{"mail.google.com", true},
		{"MAIL.Google.COM.", true},
		{"webmail.free.fr", true},
		{"login.live.com", true},
		{"www.laposte.net", true},
		{"www.google.com", false},   // not listed at all
		{"www.caf.fr", false},       // a public site
		{"evil.example", false},     // unknown
		{"laposte.net.evil", false}, // only looks like one
		{"", false},
	}
	for _, tc := range testCases {
		body := get(t, h, "/blocked?host="+tc.host).Body.String()
		if got := strings.Contains(body, webmailLine); got != tc.want {
			t.Errorf("/blocked?host=%s: webmail hint %v, want %v", tc.host, got, tc.want)
		}
		// The proxy's own blocked page says the same.
		rec := httptest.NewRecorder()
		h.Blocked(rec, httptest.NewRequest("GET", "http://"+tc.host+"/x", nil), tc.host)
		if got := strings.Contains(rec.Body.String(), webmailLine); got != tc.want {
			t.Errorf("Blocked(%q): webmail hint %v, want %v", tc.host, got, tc.want)
		}
	}
	for _, l := range portal.Languages {
		body := get(t, h, "/blocked?host=outlook.live.com&lang="+l.Code).Body.String()
		if !strings.Contains(body, `class="notice webmail"`) || l.Code != "fr" && strings.Contains(body, webmailLine) {
			t.Errorf("%s: the webmail hint is missing or not translated", l.Code)
		}
	}
}

func TestHandler_BlockedWebmailSelfService(t *testing.T) {
	// A town that opened the messagerie category to every resident: the
	// webmail is no longer refused, so no page offers an agent for it.
	data := "version: 1\nself_service: [messagerie]\nsupervised:\n  - name: Gmail\n    category: messagerie\n    hosts: [.mail.google.com]\n  - name: Agenda\n    category: messagerie-pro\n    hosts: [agenda.example.org]\n"
	l, err := allowlist.Parse([]byte(data), "open.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := handlerFor(t, l, false)
	for _, host := range []string{"mail.google.com", "agenda.example.org"} {
		if body := get(t, h, "/blocked?host="+host).Body.String(); strings.Contains(body, webmailLine) {
			t.Errorf("/blocked?host=%s shows the webmail hint", host)
		}
	}
}
