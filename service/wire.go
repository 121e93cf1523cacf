package service

import (
	"errors"
	"time"

	"github.com/communes/kiosk/admin"
	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/allowlist/watch"
	"github.com/communes/kiosk/api"
	"github.com/communes/kiosk/monitor"
	"github.com/communes/kiosk/proxy"
	"github.com/communes/kiosk/session"
	"github.com/communes/kiosk/usage"
)

// The adapters below connect packages that do not import each other
// (style.md: imports go one way, the service wires everything).

// type check
var (
	_ proxy.Policy     = (*session.Controller)(nil)
	_ api.Controller   = (*session.Controller)(nil)
	_ session.Recorder = sessionRecorder{}
	_ proxy.Recorder   = proxyRecorder{}
	_ admin.Stats      = (*usage.Store)(nil)
	_ admin.Agents     = (*agent.Store)(nil)

	_ session.LockoutStore = (*usage.Store)(nil)
)

// sessionRecorder records the session controller's events in the usage store.
// It also counts them in the Prometheus metrics.
type sessionRecorder struct {
	store *usage.Store
	m     *serviceMetrics
	wipes *monitor.WipeTracker // may be nil
}

func (r sessionRecorder) Started(time.Time, bool, string) {
	r.store.Count(usage.SessionStarted)
	r.m.sessionsStarted.Inc()
}

func (r sessionRecorder) Ended(e session.End) error {
	r.m.sessionsEnded.WithLabelValues(e.Reason).Inc()
	return r.store.SessionEnded(usage.Session{
		Start:      e.Started,
		End:        e.Ended,
		Active:     e.Active,
		Idle:       e.Idle,
		Reason:     usage.EndReason(e.Reason),
		Supervised: e.Supervised,
		Sites:      e.Sites,
		Lang:       e.Lang,
	})
}

func (r sessionRecorder) Satisfaction(answer string) {
	r.m.satisfaction.WithLabelValues(answer).Inc()
	switch answer {
	case session.AnswerYes:
		r.store.Count(usage.SatisfactionYes)
	case session.AnswerPartly:
		r.store.Count(usage.SatisfactionPartly)
	case session.AnswerNo:
		r.store.Count(usage.SatisfactionNo)
	}
}

func (r sessionRecorder) Help() {
	r.store.Count(usage.HelpRequest)
	r.m.helpRequests.Inc()
}

func (r sessionRecorder) Printed() {
	r.store.Count(usage.Print)
	r.m.prints.Inc()
}

func (r sessionRecorder) AgentUnlock() { r.store.Count(usage.AgentUnlock) }
func (r sessionRecorder) Extension()   { r.store.Count(usage.Extension) }
func (r sessionRecorder) Override()    { r.store.Count(usage.Override) }

func (r sessionRecorder) WipeFailed() {
	r.store.Count(usage.WipeFailure)
	r.m.wipeFailures.Inc()
	if r.wipes != nil {
		r.wipes.Record(time.Now(), false)
	}
}

// proxyRecorder sends the proxy's refusals to the usage store and the sites
// visited to the current session.
type proxyRecorder struct {
	store *usage.Store
	ctl   *session.Controller
}

func (r proxyRecorder) Blocked(host, from string) { r.store.Blocked(host, from) }
func (r proxyRecorder) Allowed(site string)       { r.ctl.Visited(site) }

// terminalLabels are the admin page's French names of the session states.
var terminalLabels = map[session.State]string{
	session.StateWelcome:    "Accueil (en attente)",
	session.StateUnlock:     "Attente du code agent",
	session.StateActive:     "Session en cours",
	session.StateCountdown:  "Compte à rebours d'inactivité",
	session.StateEnding:     "Fin de session",
	session.StateWiping:     "Effacement en cours",
	session.StateOutOfOrder: "Hors service",
}

// adminStatus builds the admin page's live status.
func adminStatus(h *watch.Holder, proxyAddr string, proxyErr func() error, ctl *session.Controller) func() admin.Status {
	return func() admin.Status {
		ps := h.Status()
		st := admin.Status{
			AllowlistFile:   ps.File,
			AllowlistLoaded: ps.LoadedAt,
			AllowlistSites:  ps.Sites,
			ProxyAddr:       proxyAddr,
			ProxyHealthy:    proxyErr(),
		}
		if ps.Err != nil {
			st.AllowlistError, st.AllowlistErrorAt = ps.Err.Error(), ps.ErrAt
		}
		snap := ctl.Snapshot()
		st.Terminal = terminalLabels[snap.State]
		if snap.State == session.StateOutOfOrder && snap.Error != "" {
			st.Terminal += " : " + snap.Error
		}
		return st
	}
}

// sessionLang is the portal's fallback language: the session's.
func sessionLang(ctl *session.Controller) func() string {
	return func() string { return ctl.Snapshot().Lang }
}

// allowlistBytes gives the API the file in force and its bytes.
func allowlistBytes(h *watch.Holder) func() (string, []byte) {
	return func() (string, []byte) { return h.Status().File, h.Data() }
}

// PINCheck adapts the agent store to session.Config.CheckPIN: the display
// name of the agent whose PIN it is, or an error wrapping
// session.ErrWrongPIN (any other error is the store's: unreadable file).
func PINCheck(agents *agent.Store) func(pin string) (string, error) {
	return func(pin string) (string, error) {
		a, err := agents.CheckPIN(pin)
		if errors.Is(err, agent.ErrWrongPIN) {
			return "", session.ErrWrongPIN
		}
		if err != nil {
			return "", err
		}
		return a.Name, nil
	}
}
