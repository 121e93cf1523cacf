package portal_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/portal"
)

func newHandler(t testing.TB, conf portal.Config) *portal.Handler {
	t.Helper()
	l, err := allowlist.Load("testdata/allowlist.yaml")
	if err != nil {
		t.Fatalf("loading allowlist: %v", err)
	}
	conf.Allowlist = func() *allowlist.List { return l }
	conf.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := portal.New(&conf)
	if err != nil {
		t.Fatalf("portal.New: %v", err)
	}
	return h
}

// get requests path as the proxy passes it on (absolute-form target).
func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "http://kiosk.invalid"+path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var pagePaths = []string{"/", "/home", "/blocked?host=evil.example", "/aide", "/end", "/out-of-order", "/nope"}

// wantStatus is the status of each page.
var wantStatus = map[string]int{
	"/blocked?host=evil.example": 403, "/out-of-order": 503, "/nope": 404,
}

// externalURL finds the first http(s) URL that is not on the internal host
// (SVG's namespace name, never fetched, is not one).
var externalURL = externalFinder{}

type externalFinder struct{}

var anyURL = regexp.MustCompile(`(?i)https?://[^\s"'<>)]*`)

func (externalFinder) FindString(s string) string {
	for _, u := range anyURL.FindAllString(s, -1) {
		if !strings.HasPrefix(u, "http://kiosk.invalid/") && u != "http://www.w3.org/2000/svg" {
			return u
		}
	}
	return ""
}

func TestHandler_PagesInEveryLanguage(t *testing.T) {
	h := newHandler(t, portal.Config{})
	// A word of each language's start button, to check the translation.
	start := map[string]string{"fr": "Commencer", "en": "Start", "ar": "ابدأ", "es": "Empezar", "pt": "Começar", "ru": "Начать", "tr": "Başla"}
	for _, l := range portal.Languages {
		for _, p := range pagePaths {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			path := p + sep + "lang=" + l.Code
			t.Run(l.Code+path, func(t *testing.T) {
				rec := get(t, h, path)
				want := wantStatus[p]
				if want == 0 {
					want = 200
				}
				if rec.Code != want {
					t.Fatalf("GET %s = %d, want %d", path, rec.Code, want)
				}
				body := rec.Body.String()
				dir := "ltr"
				if l.Code == "ar" {
					dir = "rtl"
				}
				if !strings.Contains(body, `<html lang="`+l.Code+`" dir="`+dir+`">`) {
					t.Errorf("GET %s: no <html lang=%q dir=%q>", path, l.Code, dir)
				}
				if p == "/" && !strings.Contains(body, start[l.Code]) {
					t.Errorf("GET %s: start button %q missing", path, start[l.Code])
				}
				if m := externalURL.FindString(body); m != "" {
					t.Errorf("GET %s: external URL %q in the page", path, m)
				}
				checkCSP(t, rec)
			})
		}
	}
}

// checkCSP checks that the page's inline style and script are exactly the
// ones the CSP hashes allow.
func checkCSP(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	csp := rec.Header().Get("Content-Security-Policy")
	body := rec.Body.String()
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?s)<style>(.*?)</style>`),
		regexp.MustCompile(`(?s)<script>(.*?)</script>`),
	} {
		m := re.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no inline %s in the page", re)
		}
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("CSP %q does not allow the inline element (%s)", csp, h)
		}
	}
	if !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q: want default-src 'none'", csp)
	}
}

func TestHandler_Welcome(t *testing.T) {
	h := newHandler(t, portal.Config{
		Languages:   []string{"fr", "ar", "en"},
		WelcomeText: map[string]string{"fr": "Bienvenue à la mairie d'Exemple"},
	})
	body := get(t, h, "/").Body.String()
	for _, want := range []string{
		"Bienvenue à la mairie d&#39;Exemple", // the town's text
		"tout est effacé",                     // the erase notice
		`href="http://kiosk.invalid/home?lang=fr" data-start>Commencer`,
		`href="http://kiosk.invalid/go?site=CAF&amp;lang=fr" data-start`,
		`src="http://kiosk.invalid/icons/caf.svg"`,            // IT's icon
		`src="http://kiosk.invalid/icons/default/impots.svg"`, // category default
		`src="http://kiosk.invalid/icons/default/autre.svg"`,  // missing icon file
		"Famille", "Impôts", "culture", "Ma ville &lt;b&gt;",
		`<a href="http://kiosk.invalid/?lang=ar" lang="ar" dir="rtl">العربية</a>`,
		`aria-current="true">Français`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("welcome page lacks %q", want)
		}
	}
	for _, unwanted := range []string{"FranceConnect", "Messagerie", "Español", "kioskEnd"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("welcome page has %q", unwanted)
		}
	}
	if body := get(t, h, "/?lang=ar").Body.String(); !strings.Contains(body, "العائلة") && !strings.Contains(body, "الأسرة") {
		t.Errorf("arabic welcome page: category not translated")
	}
	if body := get(t, h, "/?lang=es").Body.String(); !strings.Contains(body, `lang="fr"`) {
		t.Errorf("a language not offered should fall back to the first")
	}
}

func TestHandler_Home(t *testing.T) {
	supervised := false
	h := newHandler(t, portal.Config{Supervised: func() bool { return supervised }})
	body := get(t, h, "/home?lang=en").Body.String()
	if !strings.Contains(body, "Family") || strings.Contains(body, "\" data-start") || strings.Contains(body, "Messagerie") {
		t.Errorf("home page: want plain tiles of public sites in English")
	}
	supervised = true
	if body := get(t, h, "/home").Body.String(); !strings.Contains(body, "Messagerie") {
		t.Errorf("home page in a supervised session lacks the supervised site")
	}
}

func TestHandler_Go(t *testing.T) {
	h := newHandler(t, portal.Config{})
	testCases := []struct {
		site     string
		wantCode int
		wantLoc  string
	}{
		{"CAF", 303, "https://www.caf.fr/"},
		{"Impôts", 303, "https://www.impots.gouv.fr/"},
		{"FranceConnect", 404, ""}, // no home
		{"Messagerie", 404, ""},    // supervised only
		{"nothing", 404, ""},
	}
	for _, tc := range testCases {
		rec := get(t, h, "/go?site="+strings.ReplaceAll(tc.site, "ô", "%C3%B4"))
		if rec.Code != tc.wantCode || rec.Header().Get("Location") != tc.wantLoc {
			t.Errorf("/go?site=%s = %d %q, want %d %q", tc.site, rec.Code, rec.Header().Get("Location"), tc.wantCode, tc.wantLoc)
		}
	}
}

func TestHandler_Blocked(t *testing.T) {
	lang := "ru"
	h := newHandler(t, portal.Config{Lang: func() string { return lang }})
	// As proxy.Config.BlockedPage: the request is for the refused site.
	req := httptest.NewRequest("GET", "http://evil.example/page?q=1", nil)
	rec := httptest.NewRecorder()
	h.Blocked(rec, req, `evil.example"><script>alert(1)</script>`)
	body := rec.Body.String()
	if rec.Code != http.StatusForbidden {
		t.Fatalf("Blocked status %d, want 403", rec.Code)
	}
	// Not a host name: the generic line, never the text.
	for _, want := range []string{`lang="ru"`, "Назад", "Позвать сотрудника", "Этот сайт не входит в список разрешённых.", "data-back", "data-help"} {
		if !strings.Contains(body, want) {
			t.Errorf("blocked page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "evil.example") {
		t.Error("blocked page shows the refused text")
	}
	if strings.Contains(body, `src="/`) || strings.Contains(body, `href="/`) {
		t.Error("blocked page has a relative URL: it is served on the refused site's origin")
	}
	lang = ""
	rec = get(t, h, "/blocked?host=www.example.org")
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "Retour") || !strings.Contains(rec.Body.String(), "www.example.org") {
		t.Errorf("/blocked: %d, want 403 French page with the host", rec.Code)
	}
}

func TestHandler_Icons(t *testing.T) {
	h := newHandler(t, portal.Config{})
	testCases := []struct {
		path     string
		wantCode int
		wantType string
	}{
		{"/icons/caf.svg", 200, "image/svg+xml"},
		{"/icons/default/famille.svg", 200, "image/svg+xml"},
		{"/icons/default/autre.svg", 200, "image/svg+xml"},
		{"/icons/default/nope.svg", 404, ""},
		{"/icons/missing.svg", 404, ""},
		{"/icons/../allowlist.yaml", 404, ""},
		{"/icons/..%2fsecret.txt", 404, ""},
		{"/icons/%2e%2e/secret.txt", 404, ""},
		{"/icons/secret.txt", 404, ""},
		{"/icons/.hidden.svg", 404, ""},
	}
	for _, tc := range testCases {
		rec := get(t, h, tc.path)
		if rec.Code != tc.wantCode || (tc.wantType != "" && rec.Header().Get("Content-Type") != tc.wantType) {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), tc.wantCode, tc.wantType)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("GET %s leaked a file outside the icons folder", tc.path)
		}
		if rec.Code == 200 && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("GET %s: icon served without a sandbox CSP", tc.path)
		}
	}
}

func TestHandler_Toolbar(t *testing.T) {
	h := newHandler(t, portal.Config{})
	rec := get(t, h, "/toolbar.js")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("toolbar.js: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		"Terminer ma session", "Besoin d’aide", "Accueil", "Retour", "Vous êtes toujours là ?", "Continuer",
		"End my session", "إنهاء جلستي", "Terminar mi sesión", "Завершить сеанс", "Oturumumu bitir", "Terminar a minha sessão",
		"kioskState", "kioskEnd", "kioskHome", "kioskBack", "kioskHelp", "kioskContinue", "kioskActivity",
		"'rtl'", "margin-top",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("toolbar.js lacks %q", want)
		}
	}
	if strings.Contains(body, "/*STRINGS*/") || strings.Contains(body, ".innerHTML") {
		t.Error("toolbar.js: placeholder left or innerHTML used")
	}
	if m := externalURL.FindString(body); m != "" {
		t.Errorf("toolbar.js: external URL %q", m)
	}
	if string(h.ToolbarJS()) != body {
		t.Error("ToolbarJS() differs from /toolbar.js")
	}
}

func TestHandler_Methods(t *testing.T) {
	h := newHandler(t, portal.Config{})
	req := httptest.NewRequest("POST", "http://kiosk.invalid/", strings.NewReader("x"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", rec.Code)
	}
	req = httptest.NewRequest("HEAD", "http://kiosk.invalid/", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("HEAD / = %d with %d bytes, want 200 and no body", rec.Code, rec.Body.Len())
	}
}

func TestNew_UnknownLanguage(t *testing.T) {
	_, err := portal.New(&portal.Config{Allowlist: func() *allowlist.List { return nil }, Languages: []string{"fr", "de"}})
	if err == nil || !strings.Contains(err.Error(), `"de"`) {
		t.Errorf("New with language de: %v, want an error naming it", err)
	}
}

func TestExternalFinder(t *testing.T) {
	for s, want := range map[string]bool{
		`<a href="https://www.caf.fr/">`:              true,
		`<img src="http://kiosk.invalid.evil/x.png">`: true,
		`<img src="HTTP://example.org">`:              true,
		`<a href="http://kiosk.invalid/home">`:        false,
	} {
		if got := externalURL.FindString(s) != ""; got != want {
			t.Errorf("external URL in %q: %v, want %v", s, got, want)
		}
	}
}

// TestHandler_BlockedHost: any page may link to /blocked?host=…, so the
// blocked page (its text, the agent keypad's line and the data of its
// script) shows only a host name, in the proxy's canonical form; any other
// text gives a line that names no site.
func TestHandler_BlockedHost(t *testing.T) {
	h := newHandler(t, portal.Config{})
	const (
		generic      = "Ce site ne fait pas partie des sites autorisés."
		genericPIN   = "Un agent tape son code personnel pour ouvrir ce site pendant cette session."
		withHost     = `Le site <span class="host" dir="ltr">%s</span> ne fait pas partie des sites autorisés.`
		withHostPIN  = `pour ouvrir le site <span class="host" dir="ltr">%s</span> pendant cette session.`
		dataHostJSON = `"host":"%s"`
	)
	testCases := []struct {
		name, query string
		hostile     string // a piece of the text that must not show
		want        string // "" for the generic line
	}{
		{"spaces", "host=" + url.QueryEscape("caf.fr est en travaux"), "travaux", ""},
		{"phone", "host=" + url.QueryEscape("maintenance appelez le 08 99 12 34 56"), "08 99", ""},
		{"phone dotted", "host=" + url.QueryEscape("Service en maintenance. Appelez le 08.99.12.34.56"), "Appelez", ""},
		{"unicode", "host=" + url.QueryEscape("сервис-закрыт.рф"), "сервис", ""},
		{"bidi", "host=" + url.QueryEscape("caf.fr\u202eelleppa"), "elleppa", ""},
		{"percent-encoded", "host=caf%252Efr%2520appelez", "appelez", ""},
		{"percent in host", "host=" + url.QueryEscape("caf%2efr"), "caf%2efr", ""},
		{"too long", "host=" + strings.Repeat("a.", 127) + "fr", strings.Repeat("a.", 20), ""},
		{"label too long", "host=" + strings.Repeat("x", 64) + ".fr", strings.Repeat("x", 64), ""},
		{"empty label", "host=caf..fr", "caf..fr", ""},
		{"leading dot", "host=.caf.fr", ".caf.fr", ""},
		{"two trailing dots", "host=caf.fr..", "caf.fr..", ""},
		{"ipv4", "host=8.99.12.34", "8.99.12.34", ""},
		{"ipv4 integer", "host=143264290", "143264290", ""},
		{"ipv6", "host=" + url.QueryEscape("[2001:db8::899]"), "2001:db8", ""},
		{"bad ipv4", "host=08.99.12.345", "08.99", ""},
		{"userinfo", "host=" + url.QueryEscape("appelez-nous@caf.fr"), "appelez", ""},
		{"port", "host=caf.fr:8099", "8099", ""},
		{"path", "host=" + url.QueryEscape("caf.fr/travaux"), "travaux", ""},
		{"newline", "host=" + url.QueryEscape("caf.fr\nappelez"), "appelez", ""},
		{"empty", "host=", "", ""},
		{"missing", "", "", ""},
		{"upper case", "host=WWW.Caf.FR", "WWW.Caf.FR", "www.caf.fr"},
		{"trailing dot", "host=www.caf.fr.", "www.caf.fr.", "www.caf.fr"},
		{"valid", "host=www.impots.gouv.fr", "", "www.impots.gouv.fr"},
		{"a-label", "host=xn--caf-dma.fr", "", "xn--caf-dma.fr"},
		{"253 chars", "host=" + strings.Repeat("a.", 125) + "fra", "", strings.Repeat("a.", 125) + "fra"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, "/blocked?"+tc.query)
			body := rec.Body.String()
			if rec.Code != http.StatusForbidden {
				t.Fatalf("GET /blocked?%s = %d, want 403", tc.query, rec.Code)
			}
			if tc.hostile != "" && (strings.Contains(body, tc.hostile) || strings.Contains(body, html.EscapeString(tc.hostile))) {
				t.Errorf("GET /blocked?%s shows %q", tc.query, tc.hostile)
			}
			want := []string{generic, genericPIN, `"host":""`}
			if tc.want != "" {
				want = []string{fmt.Sprintf(withHost, tc.want), fmt.Sprintf(withHostPIN, tc.want), fmt.Sprintf(dataHostJSON, tc.want)}
			} else if strings.Contains(body, `class="host"`) {
				t.Errorf("GET /blocked?%s names a host", tc.query)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("GET /blocked?%s lacks %q", tc.query, w)
				}
			}
		})
	}
	// The proxy's call (a refused plain-HTTP page) goes the same way.
	rec := httptest.NewRecorder()
	h.Blocked(rec, httptest.NewRequest("GET", "http://10.0.0.1/", nil), "10.0.0.1")
	if body := rec.Body.String(); strings.Contains(body, "10.0.0.1") || !strings.Contains(body, generic) {
		t.Errorf("Blocked(10.0.0.1) names the address or lacks the generic line")
	}
}

// TestHandler_HelpPageAsksFirst: the "Besoin d'aide" page, which any site
// may load, shows a button; it never raises a request by itself.
func TestHandler_HelpPageAsksFirst(t *testing.T) {
	h := newHandler(t, portal.Config{})
	for _, l := range portal.Languages {
		body := get(t, h, "/aide?site=www.caf.fr&lang="+l.Code).Body.String()
		for _, want := range []string{`data-help`, `id="help-sent" hidden`} {
			if !strings.Contains(body, want) {
				t.Errorf("/aide (%s) lacks %q", l.Code, want)
			}
		}
	}
}
