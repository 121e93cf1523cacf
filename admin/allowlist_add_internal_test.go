package admin

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/allowlist"
)

// testAllowlist is a commented allowlist in the shipped file's style, with a block
// list, an exact-name pattern and a flow list.
const testAllowlist = `# Liste de test : les commentaires doivent rester.
version: 1

sites:
  - name: CAF            # allocations
    category: famille
    home: https://www.caf.fr/
    hosts:
      - caf.fr           # caf.fr et sous-domaines
      # - ancien.caf.fr (retiré)

  - name: Impôts
    hosts:
      - .www.impots.gouv.fr
      - .cfspart.impots.gouv.fr
# Sites ouverts par un agent
supervised:
  - name: Messagerie
    hosts: [laposte.net]   # webmail
`

// withAllowlist writes data as the fixture's allowlist file and wires it: the list in
// force is what the file holds at each call, as the service's watcher would make it.
func withAllowlist(t testing.TB, data string, path *string) fixtureOpt {
	return func(c *Config) {
		p := filepath.Join(t.TempDir(), "allowlist.yaml")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		*path = p
		c.AllowlistFile = p
		c.Allowlist = func() *allowlist.List {
			l, err := allowlist.Load(p)
			if err != nil {
				return nil
			}
			return l
		}
	}
}

// backups returns the backup files beside path.
func backups(t *testing.T, path string) []string {
	t.Helper()
	m, err := filepath.Glob(path + ".bak-*")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// addForm is the form of the "Ajouter" button.
func addForm(csrf, host, site string) url.Values {
	return url.Values{"csrf": {csrf}, "host": {host}, "site": {site}, "days": {"7"}}
}

func TestServer_BlockedAdd(t *testing.T) {
	var path string
	f := newFixture(t, withAllowlist(t, testAllowlist, &path))
	f.setPassword()
	f.store.Blocked("static.caf-cdn.example", "www.caf.fr")
	f.store.Blocked("cdn.impots-static.example", "www.impots.gouv.fr")
	f.store.Blocked("mail-static.example", "webmail.laposte.net")
	f.store.Blocked("pub.example", "elsewhere.example")
	c := f.client()
	f.login(c)

	_, body := f.get(c, "/blocked?days=7")
	for _, want := range []string{
		`<h2>Site « CAF »</h2>`, `<h2>Site « Impôts »</h2>`, `<h2>Site « Messagerie »</h2>`,
		`<h2>Page hors de la liste ou inconnue</h2>`, `action="/blocked/add"`,
		`<input type="hidden" name="host" value="static.caf-cdn.example"><input type="hidden" name="site" value="CAF">`,
		`>Ajouter à « CAF »</button>`, `une seule session`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("blocked page lacks %q", want)
		}
	}
	if strings.Contains(body, `name="host" value="pub.example"`) {
		t.Error("a host asked by a page outside the list has an add button")
	}
	if strings.Contains(body, `id="blocked-add-off"`) {
		t.Error("add buttons disabled although the file is writable")
	}
	main := body[strings.Index(body, "<main>"):strings.Index(body, "</main>")]
	if m := regexp.MustCompile(`\b\d{1,2}(:| ?h ?)\d{2}\b`).FindString(main); m != "" || !strings.Contains(main, "<td>25/11/2026</td>") {
		t.Errorf("learning view: time of day %q shown, or the day missing", m)
	}
	csrf := csrfOf(t, body)

	want := testAllowlist
	for _, add := range []struct{ host, site, after, line string }{
		{"static.caf-cdn.example", "CAF", "      - caf.fr           # caf.fr et sous-domaines\n", "      - static.caf-cdn.example\n"},
		{"cdn.impots-static.example", "Impôts", "      - .cfspart.impots.gouv.fr\n", "      - cdn.impots-static.example\n"},
	} {
		resp, body := f.post(c, "/blocked/add", addForm(csrf, add.host, add.site))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/blocked?days=7&msg=added" {
			t.Fatalf("adding %s: %s %q\n%s", add.host, resp.Status, resp.Header.Get("Location"), body)
		}
		want = strings.Replace(want, add.after, add.after+add.line, 1)
	}
	resp, body := f.post(c, "/blocked/add", addForm(csrf, "mail-static.example", "Messagerie"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding to a flow list: %s\n%s", resp.Status, body)
	}
	want = strings.Replace(want, "hosts: [laposte.net]", "hosts: [laposte.net, mail-static.example]", 1)

	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("allowlist after the additions:\n%s\nwant (comments and layout kept):\n%s", got, want)
	}
	l, err := allowlist.Parse(got, path)
	if err != nil {
		t.Fatalf("the edited file does not validate: %v", err)
	}
	for host, site := range map[string]string{"static.caf-cdn.example": "CAF", "x.cdn.impots-static.example": "Impôts", "mail-static.example": "Messagerie"} {
		if d := l.Match(host, 0, true); !d.Allowed || d.Site().Name != site {
			t.Errorf("edited list: Match(%q) = %v, want allowed by %s", host, d.Allowed, site)
		}
	}
	bak := backups(t, path)
	if len(bak) != 3 {
		t.Fatalf("backups = %v, want one per addition", bak)
	}
	first, err := os.ReadFile(path + ".bak-20261125-143000")
	if err != nil || string(first) != testAllowlist {
		t.Errorf("first backup = %q, %v; want the original file", first, err)
	}

	_, body = f.get(c, "/blocked?days=7&msg=added")
	if !strings.Contains(body, `id="blocked-notice"`) {
		t.Error("no notice after an addition")
	}
	entries, err := f.store.AuditLog(f.clock.Now(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Action == ActionAllowlistAdd && strings.Contains(e.Detail, "static.caf-cdn.example")
	}
	if !found {
		t.Errorf("audit log %+v lacks the addition", entries)
	}
}

func TestServer_BlockedAddRefused(t *testing.T) {
	var path string
	f := newFixture(t, withAllowlist(t, testAllowlist, &path))
	f.setPassword()
	c := f.client()
	csrf := f.login(c)
	testCases := []struct {
		name, host, site string
		code             int
	}{
		{"bare public suffix", "gouv.fr", "Impôts", http.StatusBadRequest},
		{"top-level domain", "fr", "CAF", http.StatusBadRequest},
		{"private suffix", "github.io", "CAF", http.StatusBadRequest},
		{"IPv4", "192.0.2.10", "CAF", http.StatusBadRequest},
		{"IPv4 short form", "127.1", "CAF", http.StatusBadRequest},
		{"IPv6", "[2001:db8::1]", "CAF", http.StatusBadRequest},
		{"already covered", "www.caf.fr", "CAF", http.StatusConflict},
		{"covered by another site", "api.caf.fr", "Impôts", http.StatusConflict},
		{"covered by a supervised site", "laposte.net", "CAF", http.StatusConflict},
		{"upper case", "Static.Example", "CAF", http.StatusBadRequest},
		{"trailing dot", "static.example.", "CAF", http.StatusBadRequest},
		{"leading dot", ".static.example", "CAF", http.StatusBadRequest},
		{"empty label", "static..example", "CAF", http.StatusBadRequest},
		{"space", "static example", "CAF", http.StatusBadRequest},
		{"path", "static.example/x", "CAF", http.StatusBadRequest},
		{"port", "static.example:8443", "CAF", http.StatusBadRequest},
		{"YAML injection", "a.example\n      - evil.example", "CAF", http.StatusBadRequest},
		{"Unicode", "café.example", "CAF", http.StatusBadRequest},
		{"empty", "", "CAF", http.StatusBadRequest},
		{"site not found", "static.example", "Inconnu", http.StatusBadRequest},
		{"site name case", "static.example", "caf", http.StatusBadRequest},
		{"no site", "static.example", "", http.StatusBadRequest},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.post(c, "/blocked/add", addForm(csrf, tc.host, tc.site))
			if resp.StatusCode != tc.code {
				t.Errorf("POST = %s, want %d\n%s", resp.Status, tc.code, body)
			}
			if got, _ := os.ReadFile(path); string(got) != testAllowlist {
				t.Errorf("the file changed:\n%s", got)
			}
			if b := backups(t, path); len(b) != 0 {
				t.Errorf("backups %v written for a refused addition", b)
			}
		})
	}
}

func TestServer_BlockedAddAccess(t *testing.T) {
	var path string
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st), withAllowlist(t, testAllowlist, &path))
	f.setPassword()
	f.store.Blocked("static.caf-cdn.example", "www.caf.fr")

	agentC := f.client()
	agentCSRF := f.loginAs(agentC, agentName, agentPasswd)
	_, body := f.get(agentC, "/blocked")
	if !strings.Contains(body, "static.caf-cdn.example") || strings.Contains(body, `action="/blocked/add"`) {
		t.Errorf("agent's learning view: host missing or add button shown")
	}
	if resp, _ := f.post(agentC, "/blocked/add", addForm(agentCSRF, "static.caf-cdn.example", "CAF")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent POST = %s, want 403", resp.Status)
	}

	adminC := f.client()
	adminCSRF := f.loginAs(adminC, adminName, testPassword)
	for _, tc := range []struct{ name, csrf string }{{"no CSRF token", ""}, {"wrong CSRF token", agentCSRF}} {
		form := addForm(tc.csrf, "static.caf-cdn.example", "CAF")
		if tc.csrf == "" {
			form.Del("csrf")
		}
		if resp, _ := f.post(adminC, "/blocked/add", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: POST = %s, want 403", tc.name, resp.Status)
		}
	}
	anon := f.client()
	if resp, _ := f.post(anon, "/blocked/add", addForm(adminCSRF, "static.caf-cdn.example", "CAF")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous POST = %s, want 403", resp.Status)
	}
	if got, _ := os.ReadFile(path); string(got) != testAllowlist || len(backups(t, path)) != 0 {
		t.Fatalf("a refused request changed the file:\n%s", got)
	}
	// The admin account of agents.json may add.
	if resp, body := f.post(adminC, "/blocked/add", addForm(adminCSRF, "static.caf-cdn.example", "CAF")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin POST = %s\n%s", resp.Status, body)
	}
}

func TestServer_BlockedAddUnavailable(t *testing.T) {
	// A list fetched from a URL: no button.
	f := newFixture(t, func(c *Config) { c.AllowlistFile = "" })
	f.setPassword()
	f.store.Blocked("static.caf-cdn.example", "www.caf.fr")
	c := f.client()
	csrf := f.login(c)
	if _, body := f.get(c, "/blocked"); strings.Contains(body, `action="/blocked/add"`) {
		t.Error("add button shown without a local file")
	}
	if resp, _ := f.post(c, "/blocked/add", addForm(csrf, "static.example", "CAF")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST without a file = %s, want 503", resp.Status)
	}

	// A file the service cannot write beside (here: its directory is missing; in
	// the package, /etc/kiosk is read-only for the service): disabled, with why.
	var path string
	f = newFixture(t, withAllowlist(t, testAllowlist, &path), func(c *Config) {
		c.AllowlistFile = filepath.Join(t.TempDir(), "missing", "allowlist.yaml")
	})
	f.setPassword()
	f.store.Blocked("static.caf-cdn.example", "www.caf.fr")
	c = f.client()
	csrf = f.login(c)
	_, body := f.get(c, "/blocked")
	if !strings.Contains(body, `id="blocked-add-off"`) || !strings.Contains(body, `<button type="submit" disabled>Ajouter à « CAF »</button>`) {
		t.Errorf("unwritable file: button not disabled with an explanation")
	}
	if resp, _ := f.post(c, "/blocked/add", addForm(csrf, "static.example", "CAF")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST to an unwritable file = %s, want 503", resp.Status)
	}
}

func TestServer_BlockedAddInvalidFile(t *testing.T) {
	// The file on disk no longer validates (a half-finished hand edit): refused.
	var path string
	f := newFixture(t, withAllowlist(t, testAllowlist, &path))
	f.setPassword()
	c := f.client()
	csrf := f.login(c)
	broken := strings.Replace(testAllowlist, "category:", "categroy:", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.post(c, "/blocked/add", addForm(csrf, "static.example", "CAF")); resp.StatusCode != http.StatusConflict {
		t.Errorf("POST = %s, want 409", resp.Status)
	}
	if got, _ := os.ReadFile(path); string(got) != broken || len(backups(t, path)) != 0 {
		t.Error("the invalid file was changed")
	}
}

func TestInsertHost(t *testing.T) {
	testCases := []struct {
		name, in, site, want string
		err                  error
	}{{
		name: "CRLF and no final newline",
		in:   "version: 1\r\nsites:\r\n  - name: A\r\n    hosts:\r\n      - a.example",
		site: "A",
		want: "version: 1\r\nsites:\r\n  - name: A\r\n    hosts:\r\n      - a.example\r\n      - new.example",
	}, {
		name: "byte order mark, indentless list, quoted entry",
		in:   "\xef\xbb\xbfversion: 1\nsites:\n- name: A\n  hosts:\n  -   \"a.example\" # c\n- name: B\n  hosts: [b.example]\n",
		site: "A",
		want: "\xef\xbb\xbfversion: 1\nsites:\n- name: A\n  hosts:\n  -   \"a.example\" # c\n  -   new.example\n- name: B\n  hosts: [b.example]\n",
	}, {
		name: "flow list over lines, non-ASCII before",
		in:   "version: 1\nsites:\n  - {name: É, hosts: [a.example,\n      b.example ]}\n",
		site: "É",
		want: "version: 1\nsites:\n  - {name: É, hosts: [a.example,\n      b.example , new.example]}\n",
	}, {
		name: "site missing",
		in:   testAllowlist,
		site: "Z",
		err:  errSiteNotFound,
	}}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := insertHost([]byte(tc.in), tc.site, "new.example")
			if !errors.Is(err, tc.err) {
				t.Fatalf("insertHost err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if string(got) != tc.want {
				t.Errorf("insertHost =\n%q\nwant\n%q", got, tc.want)
			}
			old, err := allowlist.Parse([]byte(tc.in), "in.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if err = checkAdded(old, got, "out.yaml", tc.site, "new.example"); err != nil {
				t.Errorf("checkAdded: %v", err)
			}
		})
	}
	// An edit that would change more than the one host is refused.
	old, _ := allowlist.Parse([]byte(testAllowlist), "in.yaml")
	bad := strings.Replace(testAllowlist, "      - caf.fr ", "      - caf.fr\n      - new.example\n      - more.example ", 1)
	if err := checkAdded(old, []byte(bad), "out.yaml", "CAF", "new.example"); !errors.Is(err, errLayout) {
		t.Errorf("checkAdded of a two-host edit = %v, want errLayout", err)
	}
	if !bytes.Contains([]byte(bad), []byte("more.example")) {
		t.Fatal("test edit did not apply")
	}
}
