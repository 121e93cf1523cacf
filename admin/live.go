package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/communes/kiosk/session"
)

// SessionControl is the live terminal as the admin page drives it;
// *session.Controller implements it. The controller audits every remote
// action itself (its Config.Auditor), so the admin page does not audit them
// again.
type SessionControl interface {
	// Snapshot returns the current state.
	Snapshot() session.Snapshot
	// EndByAgent ends the open session.
	EndByAgent(agent string) error
	// Extend gives the open session more time.
	Extend(agent string, by time.Duration) error
	// SetMessage shows a short message on the kiosk ("" clears it).
	SetMessage(agent, text string) error
	// TakeHelp marks a help request as taken.
	TakeHelp(id uint64, agent string) error
}

// type check
var _ SessionControl = (*session.Controller)(nil)

// extendBy is what "+15 minutes" adds.
const extendBy = 15 * time.Minute

// liveView is the live state of the terminal, in French, for live.tmpl and
// GET /live.json.
type liveView struct {
	Known     bool       `json:"known"`      // a session controller is wired
	Version   uint64     `json:"version"`    // changes with every visible change
	State     string     `json:"state"`      // session.State, or "supervised" for an agent-unlocked session
	Label     string     `json:"label"`      // the state in French
	InSession bool       `json:"in_session"` // the remote actions apply
	Remaining string     `json:"remaining"`  // time left, "" outside a session
	Warning   bool       `json:"warning"`    // near the limit
	Idle      string     `json:"idle"`       // time since the last activity
	Countdown string     `json:"countdown"`  // idle countdown left
	Lang      string     `json:"lang"`       // session language, by name
	Mode      string     `json:"mode"`       // configured mode, in French
	Agent     string     `json:"agent"`      // agent who unlocked the session
	Message   string     `json:"message"`    // message shown on the kiosk
	Overrides []string   `json:"overrides"`  // hosts opened for this session
	Error     string     `json:"error"`      // why the terminal is out of order
	PIN       string     `json:"pin"`        // wrong PINs in a row and the keypad lockout, "" when none
	Pending   int        `json:"pending"`    // help requests not yet taken
	Help      []liveHelp `json:"help"`       // the session's help requests, newest first
	Updated   string     `json:"updated"`    // HH:MM:SS of the snapshot
}

// liveHelp is one help request in the live view.
type liveHelp struct {
	ID      uint64 `json:"id"`
	At      string `json:"at"`       // HH:MM
	Age     string `json:"age"`      // "il y a 3 min"
	TakenBy string `json:"taken_by"` // "" while pending
	TakenAt string `json:"taken_at"` // HH:MM
}

// stateLabels are the French names of the terminal states.
var stateLabels = map[string]string{
	string(session.StateWelcome):    "Accueil (aucune session)",
	string(session.StateUnlock):     "Attente du code d'un agent",
	string(session.StateActive):     "Session en cours",
	"supervised":                    "Session accompagnée",
	string(session.StateCountdown):  "Compte à rebours d'inactivité",
	string(session.StateEnding):     "Fin de session (question de satisfaction)",
	string(session.StateWiping):     "Effacement de la session",
	string(session.StateOutOfOrder): "Hors service",
}

var modeLabels = map[session.Mode]string{
	session.SelfService:    "Libre-service",
	session.SupervisedOnly: "Sessions accompagnées uniquement",
	session.Mixed:          "Mixte (libre-service et accompagné)",
}

var langNames = map[string]string{
	"fr": "Français", "en": "English", "ar": "العربية", "es": "Español",
	"pt": "Português", "ru": "Русский", "tr": "Türkçe",
}

// live returns the live view of the terminal.
func (s *Server) live() liveView {
	if s.session == nil {
		return liveView{State: "unknown", Label: "Inconnu (contrôleur de session non branché)"}
	}
	sn := s.session.Snapshot()
	v := liveView{Known: true, Version: sn.Version, State: string(sn.State), Mode: modeLabels[sn.Mode],
		Agent: sn.Agent, Message: sn.Message, Overrides: sn.Overrides, Error: sn.Error}
	if v.Mode == "" {
		v.Mode = string(sn.Mode)
	}
	v.Lang = langNames[sn.Lang]
	if v.Lang == "" {
		v.Lang = sn.Lang
	}
	v.InSession = sn.State == session.StateActive || sn.State == session.StateCountdown
	if sn.State == session.StateActive && sn.Supervised {
		v.State = "supervised"
	}
	v.Label = stateLabels[v.State]
	if v.Label == "" {
		v.Label = v.State
	}
	if v.InSession {
		v.Remaining, v.Warning = fmtSeconds(sn.Remaining), sn.Warning
		v.Idle = fmtSeconds(sn.Idle)
		if sn.State == session.StateCountdown {
			v.Countdown = fmtSeconds(sn.Countdown)
		}
	}
	now := sn.Now
	if now.IsZero() {
		now = s.now()
	}
	v.Updated = now.In(s.loc).Format("15:04:05")
	if sn.PINFailures > 0 {
		v.PIN = strconv.Itoa(sn.PINFailures) + " code(s) PIN erroné(s) de suite"
		if sn.PINLockedUntil.After(now) {
			v.PIN += " ; clavier verrouillé jusqu'à " + sn.PINLockedUntil.In(s.loc).Format("15:04:05")
		}
	}
	for i := len(sn.Help) - 1; i >= 0; i-- {
		h := sn.Help[i]
		lh := liveHelp{ID: h.ID, At: h.At.In(s.loc).Format("15:04"), Age: fmtAge(now.Sub(h.At)), TakenBy: h.TakenBy}
		if h.TakenBy == "" {
			v.Pending++
		} else {
			lh.TakenAt = h.TakenAt.In(s.loc).Format("15:04")
		}
		v.Help = append(v.Help, lh)
	}
	return v
}

// liveStatus is the configured Status, completed from the session
// controller: the pending help request and the terminal state.
func (s *Server) liveStatus() Status {
	st := s.status()
	if s.session == nil {
		return st
	}
	sn := s.session.Snapshot()
	if st.HelpRequested.IsZero() {
		for _, h := range sn.Help {
			if h.TakenBy == "" {
				st.HelpRequested = h.At
				break
			}
		}
	}
	if st.Terminal == "" {
		st.Terminal = stateLabels[string(sn.State)]
	}
	return st
}

// fmtSeconds prints a number of seconds the French way: "45 s",
// "12 min 05 s", "1 h 02 min".
func fmtSeconds(n int) string {
	switch {
	case n <= 0:
		return "0 s"
	case n < 60:
		return strconv.Itoa(n) + " s"
	case n < 3600:
		if n%60 == 0 {
			return strconv.Itoa(n/60) + " min"
		}
		return fmt.Sprintf("%d min %02d s", n/60, n%60)
	}
	return fmt.Sprintf("%d h %02d min", n/3600, n%3600/60)
}

// fmtAge prints the age of a help request: "à l'instant", "il y a 3 min".
func fmtAge(d time.Duration) string {
	if d < 10*time.Second {
		return "à l'instant"
	}
	return "il y a " + fmtSeconds(int(d/time.Second))
}

// liveData fills live.tmpl.
type liveData struct {
	Live          liveView
	Notice, Error string
	MaxMessage    int
}

// liveNotices are the messages of /live?msg=…; nothing is reflected.
var liveNotices = map[string]string{
	"ended":    "Session terminée.",
	"extended": "15 minutes ajoutées.",
	"message":  "Message envoyé à la borne.",
	"cleared":  "Message effacé.",
	"taken":    "Demande d'aide prise en charge.",
}

func (s *Server) handleLive(w http.ResponseWriter, r *http.Request, ws *webSession) {
	d := &liveData{Live: s.live(), Notice: liveNotices[r.URL.Query().Get("msg")], MaxMessage: session.MaxMessage}
	s.render(w, http.StatusOK, "live", &page{Title: "Borne en direct", Nav: "live", session: ws, Data: d})
}

// handleLiveJSON serves the live view for the page's script. An anonymous
// request gets 401 (not a redirect), so that the script can say so.
func (s *Server) handleLiveJSON(w http.ResponseWriter, r *http.Request) {
	if s.currentSession(r) == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"login"}` + "\n"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.live())
}

// liveAction runs a remote action and answers like a form: a redirect to
// the live view with a notice, or the live view with the error.
func (s *Server) liveAction(act func(r *http.Request, agent string) (notice string, err error)) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, ws *webSession) {
		if s.session == nil {
			s.renderLiveError(w, ws, http.StatusServiceUnavailable, "Le contrôleur de session n'est pas branché.")
			return
		}
		notice, err := act(r, ws.user.name)
		if err == nil {
			http.Redirect(w, r, "/live?msg="+notice, http.StatusSeeOther)
			return
		}
		code, msg := http.StatusInternalServerError, "L'action a échoué ; voir le journal du service."
		switch {
		case errors.Is(err, session.ErrWrongState):
			code, msg = http.StatusConflict, "Action impossible dans l'état actuel de la borne (aucune session ouverte, ou demande déjà prise en charge)."
		case errors.Is(err, session.ErrNotFound):
			code, msg = http.StatusNotFound, "Cette demande d'aide n'existe plus (la session est terminée)."
		case errors.Is(err, session.ErrInvalid), errors.Is(err, errBadForm):
			code, msg = http.StatusBadRequest, "Valeur invalide."
		default:
			s.log.Error("remote action", "path", r.URL.Path, "err", err)
		}
		s.renderLiveError(w, ws, code, msg)
	}
}

// errBadForm means a form field could not be parsed.
var errBadForm = errors.New("bad form value")

func (s *Server) renderLiveError(w http.ResponseWriter, ws *webSession, code int, msg string) {
	d := &liveData{Live: s.live(), Error: msg, MaxMessage: session.MaxMessage}
	s.render(w, code, "live", &page{Title: "Borne en direct", Nav: "live", session: ws, Data: d})
}

func (s *Server) handleLiveEnd(r *http.Request, agent string) (string, error) {
	return "ended", s.session.EndByAgent(agent)
}

func (s *Server) handleLiveExtend(r *http.Request, agent string) (string, error) {
	return "extended", s.session.Extend(agent, extendBy)
}

func (s *Server) handleLiveMessage(r *http.Request, agent string) (string, error) {
	text := r.PostFormValue("message")
	if len(text) > 4*session.MaxMessage {
		return "", errBadForm
	}
	notice := "message"
	if r.PostFormValue("clear") != "" {
		text, notice = "", "cleared"
	}
	return notice, s.session.SetMessage(agent, text)
}

func (s *Server) handleLiveHelp(r *http.Request, agent string) (string, error) {
	id, err := strconv.ParseUint(r.PostFormValue("id"), 10, 64)
	if err != nil {
		return "", errBadForm
	}
	return "taken", s.session.TakeHelp(id, agent)
}
