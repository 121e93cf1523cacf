package portal_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

// externalURL finds the first http(s) URL that is not on the internal host.
var externalURL = externalFinder{}

type externalFinder struct{}

var anyURL = regexp.MustCompile(`(?i)https?://[^\s"'<>)]*`)

func (externalFinder) FindString(s string) string {
	for _, u := range anyURL.FindAllString(s, -1) {
		if !strings.HasPrefix(u, "http://kiosk.invalid/") {
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
	for _, want := range []string{`lang="ru"`, "Назад", "Позвать сотрудника", `evil.example&#34;&gt;&lt;script&gt;`, "data-back", "data-help"} {
		if !strings.Contains(body, want) {
			t.Errorf("blocked page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert") {
		t.Error("blocked page: host not escaped")
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
