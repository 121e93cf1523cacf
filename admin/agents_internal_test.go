package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/communes/kiosk/agent"
)

// agentRoutes are the account-management routes: admin role only.
var agentRoutes = []struct{ method, path string }{
	{"GET", "/agents"},
	{"POST", "/agents/add"},
	{"POST", "/agents/remove"},
	{"POST", "/agents/pin"},
	{"POST", "/agents/password"},
	{"GET", "/audit"},
	{"GET", "/audit.csv"},
}

func TestAgents_RoleAgentForbidden(t *testing.T) {
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st))
	c := f.client()
	csrf := f.loginAs(c, agentName, agentPasswd)
	before, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]url.Values{
		"/agents/add":      {"name": {"Intrus"}, "role": {"admin"}, "pin": {"591736"}, "pin_confirm": {"591736"}, "password": {"intrusion123"}, "password_confirm": {"intrusion123"}},
		"/agents/remove":   {"name": {adminName}},
		"/agents/pin":      {"name": {adminName}, "pin": {"591736"}, "pin_confirm": {"591736"}},
		"/agents/password": {"name": {adminName}, "password": {"intrusion123"}, "password_confirm": {"intrusion123"}},
	}
	for _, rt := range agentRoutes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var resp *http.Response
			var body string
			if rt.method == "POST" {
				form := forms[rt.path]
				form.Set("csrf", csrf) // a valid token: only the role refuses
				resp, body = f.post(c, rt.path, form)
			} else {
				resp, body = f.get(c, rt.path)
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as role agent: %s, want 403", rt.method, rt.path, resp.Status)
			}
			if !strings.Contains(body, "réservée aux administrateurs") {
				t.Errorf("403 page does not say why:\n%s", body)
			}
		})
	}
	after, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("accounts changed: %+v -> %+v", before, after)
	}
	for i := range after {
		if after[i] != before[i] {
			t.Errorf("account %q changed: %+v -> %+v", after[i].Name, before[i], after[i])
		}
	}
	// The agent still uses the live view and sees no admin links.
	resp, body := f.get(c, "/live")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="nav-agents"`) || !strings.Contains(body, agentName) {
		t.Errorf("GET /live as agent: %s; nav-agents shown or name missing", resp.Status)
	}
}

func TestAgents_AdminManages(t *testing.T) {
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st))
	c := f.client()
	f.setPassword()
	csrf := f.loginAs(c, "", testPassword) // the built-in admin, no name typed
	resp, body := f.get(c, "/agents")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-name="`+agentName+`"`) {
		t.Fatalf("GET /agents: %s\n%s", resp.Status, body)
	}

	type step struct {
		name, path string
		form       url.Values
		wantCode   int
		wantText   string
	}
	steps := []step{{
		name: "add", path: "/agents/add",
		form:     url.Values{"name": {"Paul"}, "role": {"agent"}, "pin": {"603819"}, "pin_confirm": {"603819"}},
		wantCode: http.StatusSeeOther,
	}, {
		name: "add existing name", path: "/agents/add",
		form:     url.Values{"name": {"paul"}, "role": {"agent"}, "pin": {"281946"}, "pin_confirm": {"281946"}},
		wantCode: http.StatusConflict, wantText: "Un compte porte déjà ce nom",
	}, {
		name: "add reserved name", path: "/agents/add",
		form:     url.Values{"name": {"Admin"}, "role": {"admin"}, "pin": {"281946"}, "pin_confirm": {"281946"}, "password": {testPassword}, "password_confirm": {testPassword}},
		wantCode: http.StatusBadRequest, wantText: "réservé",
	}, {
		name: "add with a PIN in use", path: "/agents/add",
		form:     url.Values{"name": {"Zoé"}, "role": {"agent"}, "pin": {agentPIN}, "pin_confirm": {agentPIN}},
		wantCode: http.StatusConflict, wantText: "déjà celui",
	}, {
		name: "add with a weak PIN", path: "/agents/add",
		form:     url.Values{"name": {"Zoé"}, "role": {"agent"}, "pin": {"111111"}, "pin_confirm": {"111111"}},
		wantCode: http.StatusBadRequest, wantText: "Code PIN refusé",
	}, {
		name: "add admin without password", path: "/agents/add",
		form:     url.Values{"name": {"Zoé"}, "role": {"admin"}, "pin": {"281946"}, "pin_confirm": {"281946"}},
		wantCode: http.StatusBadRequest, wantText: "Mot de passe refusé",
	}, {
		name: "add with different confirmation", path: "/agents/add",
		form:     url.Values{"name": {"Zoé"}, "role": {"agent"}, "pin": {"281946"}, "pin_confirm": {"281947"}},
		wantCode: http.StatusBadRequest, wantText: "pas identiques",
	}, {
		name: "reset PIN", path: "/agents/pin",
		form:     url.Values{"name": {"Paul"}, "pin": {"918273"}, "pin_confirm": {"918273"}},
		wantCode: http.StatusSeeOther,
	}, {
		name: "set password", path: "/agents/password",
		form:     url.Values{"name": {"Paul"}, "password": {"le mot de Paul"}, "password_confirm": {"le mot de Paul"}},
		wantCode: http.StatusSeeOther,
	}, {
		name: "remove unknown", path: "/agents/remove",
		form:     url.Values{"name": {"Personne"}},
		wantCode: http.StatusNotFound, wantText: "Ce compte n",
	}}
	for _, s := range steps {
		s.form.Set("csrf", csrf)
		resp, body := f.post(c, s.path, s.form)
		if resp.StatusCode != s.wantCode || !strings.Contains(body, s.wantText) {
			t.Errorf("%s: %s, want %d with %q\n%s", s.name, resp.Status, s.wantCode, s.wantText, body)
		}
		for _, secret := range []string{s.form.Get("pin"), s.form.Get("password")} {
			if secret != "" && strings.Contains(body, secret) {
				t.Errorf("%s: the page shows the PIN or password typed", s.name)
			}
		}
	}
	if _, err := st.CheckPIN("918273"); err != nil {
		t.Errorf("Paul's new PIN does not work: %v", err)
	}
	if _, err := st.Authenticate("Paul", "le mot de Paul"); err != nil {
		t.Errorf("Paul's password does not work: %v", err)
	}
	resp, _ = f.post(c, "/agents/remove", url.Values{"csrf": {csrf}, "name": {"Paul"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %s", resp.Status)
	}
	if _, err := st.Get("Paul"); err == nil {
		t.Error("Paul still exists after remove")
	}

	// Every change is in the audit log, by the built-in admin, without secrets.
	entries, err := f.store.AuditLog(f.clock.Now(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Agent+" "+e.Action+" "+e.Detail)
		if strings.Contains(e.Detail, "918273") || strings.Contains(e.Detail, "Paul\"") {
			t.Errorf("audit entry holds a secret: %+v", e)
		}
	}
	want := []string{"admin login admin", "admin agent_add Paul (agent)", "admin agent_pin Paul",
		"admin agent_password Paul", "admin agent_remove Paul"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit log = %q, want %q", got, want)
	}
}

func TestLogin_AgentAccounts(t *testing.T) {
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st))

	// No built-in password, but accounts with a password: no setup page.
	resp, _ := f.get(f.client(), "/setup")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("GET /setup with agent accounts: %s %q, want 303 to /login", resp.Status, resp.Header.Get("Location"))
	}
	// Wrong password, unknown name, and the empty name without a built-in
	// password all fail alike.
	for _, tc := range []struct{ name, pw string }{{agentName, "mauvais mot de passe"}, {"Inconnu", agentPasswd}, {"", agentPasswd}} {
		c := f.client()
		_, body := f.get(c, "/login")
		resp, body = f.post(c, "/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {tc.name}, "password": {tc.pw}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Nom ou mot de passe incorrect") {
			t.Errorf("login %q: %s, want 401", tc.name, resp.Status)
		}
	}
	f.srv.limiter = newLimiter(f.clock.Now) // the failures above must not slow what follows

	// The admin account logs in and sees the agents page.
	ca := f.client()
	f.loginAs(ca, adminName, testPassword)
	if resp, body := f.get(ca, "/agents"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="nav-agents"`) {
		t.Errorf("GET /agents as admin account: %s", resp.Status)
	}
	// An agent logs in; its session ends when its password changes, and when
	// the account is removed.
	cm := f.client()
	f.loginAs(cm, agentName, agentPasswd)
	f.clock.Add(time.Second) // Updated must differ
	if err := st.SetPassword(agentName, "nouveau mot de passe"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(cm, "/live"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after a password change, GET /live: %s, want 303 to the login", resp.Status)
	}
	f.loginAs(cm, agentName, "nouveau mot de passe")
	if err := st.Remove(agentName); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(cm, "/live"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after removal, GET /live: %s, want 303 to the login", resp.Status)
	}
	// The built-in admin still works beside the accounts (backward compatible).
	f.setPassword()
	f.loginAs(f.client(), "admin", testPassword)
}

func TestPassword_AgentChangesOwn(t *testing.T) {
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st))
	c := f.client()
	csrf := f.loginAs(c, agentName, agentPasswd)
	resp, body := f.post(c, "/password", url.Values{"csrf": {csrf}, "current": {agentPasswd},
		"password": {"encore un autre"}, "confirm": {"encore un autre"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?msg=changed" {
		t.Fatalf("POST /password as agent: %s\n%s", resp.Status, body)
	}
	if _, err := st.Authenticate(agentName, "encore un autre"); err != nil {
		t.Errorf("new password refused: %v", err)
	}
	if h, _ := f.srv.creds.adminHash(); h != "" {
		t.Error("an agent's password change wrote the built-in admin password")
	}
}
