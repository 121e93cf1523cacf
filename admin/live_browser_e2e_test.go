//go:build e2e

package admin

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/internal/wait"
	"github.com/communes/kiosk/session"
)

// browserLogin logs the browser in as name with password.
func browserLogin(t *testing.T, ctx context.Context, base, name, password string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#sessions")),
	); err != nil {
		t.Fatalf("logging in as %s: %v", name, err)
	}
}

// waitJS polls the JavaScript expression cond (a boolean) until it is true
// or the deadline passes; there is no event to await for a DOM update made
// by the page's own polling.
func waitJS(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	wait.UntilErr(t, 15*time.Second, what, func() error {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return nil
		}
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		return fmt.Errorf("%s (%v)\npage:\n%s", cond, err, body)
	})
}

// clickFor clicks the submit button sel of the live view and waits for the
// new page's notice, which must be notice.
func clickFor(t *testing.T, ctx context.Context, sel, notice string) {
	t.Helper()
	// Mark the current document: the notice must come from a new one.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.dataset.old = "1"; true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	waitJS(t, ctx, "page after clicking "+sel,
		`document.body && document.body.dataset.old !== "1" && document.getElementById("live-notice") !== null`)
	if got := textOf(t, ctx, "#live-notice"); got != notice {
		t.Errorf("after clicking %s the notice is %q, want %q", sel, got, notice)
	}
}

// textOf returns the trimmed text of the element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func TestBrowser_LiveView(t *testing.T) {
	var ctl *session.Controller
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withSession(&ctl), withAgents(t, dir, &st))
	ctx := newBrowser(t)
	base := f.http.URL
	browserLogin(t, ctx, base, agentName, agentPasswd)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/live"),
		chromedp.WaitVisible(chromedp.CSS("#live-label")),
	); err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, ctx, "#live-label"); got != "Accueil (aucune session)" {
		t.Errorf("state at welcome = %q", got)
	}
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("live-end").disabled`)); !ok {
		t.Error(`"Terminer la session" is enabled without a session`)
	}
	// A marker that a reload would lose.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.kioskMarker = true`)); err != nil {
		t.Fatal(err)
	}

	// A session starts on the kiosk: the page follows without reloading.
	if err := ctl.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "state refreshed to active",
		`document.getElementById("live-label").dataset.state === "active" && !document.getElementById("live-end").disabled`)
	if got := textOf(t, ctx, "#live-remaining"); got != "45 min" {
		t.Errorf("time left = %q, want 45 min", got)
	}
	if got := textOf(t, ctx, "#live-lang"); got != "Français" {
		t.Errorf("language = %q", got)
	}
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.kioskMarker === true`)); !ok {
		t.Fatal("the page reloaded instead of refreshing in place")
	}

	// "Besoin d'aide" on the kiosk: the request appears at once, with its age.
	ctl.Help()
	waitJS(t, ctx, "help request shown",
		`document.querySelector("#help-list li.waiting button.take") !== null && document.getElementById("help-pending").textContent === "1"`)
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.kioskMarker === true`)); !ok {
		t.Fatal("the page reloaded instead of refreshing in place")
	}
	f.clock.Add(2 * time.Minute)
	waitJS(t, ctx, "help age updated", `document.querySelector("#help-list li .help-age").textContent === "il y a 2 min"`)
	if os.Getenv("KIOSK_SCREENSHOTS") == "1" {
		shot(t, ctx, base+"/live", "admin-live.png")
	}
	clickFor(t, ctx, "#help-list li.waiting button.take", "Demande d'aide prise en charge.")
	if got := textOf(t, ctx, "#help-list li.taken .help-taken"); !strings.Contains(got, "prise en charge par "+agentName) {
		t.Errorf("taken request shows %q", got)
	}
	if h := ctl.Snapshot().Help; len(h) != 1 || h[0].TakenBy != agentName {
		t.Errorf("controller help requests = %+v, want taken by %s", h, agentName)
	}

	// "+15 minutes".
	ends := ctl.Snapshot().EndsAt
	clickFor(t, ctx, "#live-extend", "15 minutes ajoutées.")
	if d := ctl.Snapshot().EndsAt.Sub(ends); d != 15*time.Minute {
		t.Errorf("+15 minutes added %v", d)
	}
	if got := textOf(t, ctx, "#live-remaining"); got != "58 min" {
		t.Errorf("time left after +15 (2 min elapsed) = %q, want 58 min", got)
	}

	// "Envoyer un message".
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("message").value = ""; true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#message"), "Un agent arrive")); err != nil {
		t.Fatalf("typing a message: %v", err)
	}
	clickFor(t, ctx, "#live-send", "Message envoyé à la borne.")
	if m := ctl.Snapshot().Message; m != "Un agent arrive" {
		t.Errorf("kiosk message = %q", m)
	}

	// "Terminer la session".
	clickFor(t, ctx, "#live-end", "Session terminée.")
	if sn := ctl.Snapshot(); sn.State != session.StateEnding || sn.EndReason != session.ReasonAgent {
		t.Errorf("after end: state %s reason %s", sn.State, sn.EndReason)
	}
	if got := textOf(t, ctx, "#live-label"); !strings.HasPrefix(got, "Fin de session") {
		t.Errorf("state after end = %q", got)
	}
	// The kiosk moves on by itself: the page follows.
	if err := ctl.Satisfaction(session.AnswerYes); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "state refreshed to wiping", `document.getElementById("live-label").dataset.state === "wiping"`)

	// Every action is in the audit log with the agent's name.
	entries, err := f.store.AuditLog(f.clock.Now(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Agent+":"+e.Action)
	}
	want := fmt.Sprintf("%[1]s:login|%[1]s:help_taken|%[1]s:extend|%[1]s:message|%[1]s:end", agentName)
	if strings.Join(got, "|") != want {
		t.Errorf("audit log = %q, want %q", got, want)
	}
}

func TestBrowser_AgentCannotManageAgents(t *testing.T) {
	var st *agent.Store
	dir := t.TempDir()
	f := newFixture(t, withAgents(t, dir, &st))
	ctx := newBrowser(t)
	base := f.http.URL
	browserLogin(t, ctx, base, agentName, agentPasswd)

	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#nav-agents, #nav-audit").length`)); err != nil || n != 0 {
		t.Errorf("agent sees %d admin links (%v), want 0", n, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/agents"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if body := textOf(t, ctx, "main"); !strings.Contains(body, "réservée aux administrateurs") {
		t.Errorf("GET /agents as an agent shows %q", body)
	}
	// Real POSTs with the session's valid CSRF token are refused for the role.
	for _, path := range []string{"/agents/add", "/agents/remove", "/agents/pin", "/agents/password"} {
		js := fmt.Sprintf(`fetch(%q, {method: "POST", body: new URLSearchParams({
			csrf: document.querySelector('form[action="/logout"] input[name="csrf"]').value,
			name: %q, role: "admin", pin: "591736", pin_confirm: "591736",
			password: "intrusion123", password_confirm: "intrusion123"})}).then(r => r.status)`, path, adminName)
		status, err := chromedp.Run(ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
		if err != nil || status != 403 {
			t.Errorf("POST %s as an agent = %d (%v), want 403", path, status, err)
		}
	}
	list, err := st.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("accounts after the refused POSTs: %+v, %v", list, err)
	}
	if _, err := st.Authenticate(adminName, testPassword); err != nil {
		t.Errorf("the admin account's password changed: %v", err)
	}
	if _, err := st.CheckPIN(adminPIN); err != nil {
		t.Errorf("the admin account's PIN changed: %v", err)
	}
}
