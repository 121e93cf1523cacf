package admin

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/communes/kiosk/agent"
	"github.com/communes/kiosk/usage"
)

// Auditor writes and reads the audit log of agent actions; *usage.Store
// implements it. Audit must never get resident data.
type Auditor interface {
	// Audit records that agent did action (detail: a short text or a host).
	Audit(at time.Time, agent, action, detail string)
	// AuditLog returns the entries of the calendar days from..to, oldest
	// first.
	AuditLog(from, to time.Time) ([]usage.AuditEntry, error)
}

// type check
var _ Auditor = (*usage.Store)(nil)

// Actions the admin page audits itself. The session controller audits the
// remote actions (end, extend, message, help_taken) and the kiosk's (unlock,
// override, pin_failed, pin_lockout) with the same Auditor.
const (
	ActionLogin         = "login"          // detail: the role
	ActionPassword      = "password"       // own password changed
	ActionAgentAdd      = "agent_add"      // detail: "Name (role)"
	ActionAgentRemove   = "agent_remove"   // detail: the name
	ActionAgentPIN      = "agent_pin"      // detail: the name (never the PIN)
	ActionAgentPassword = "agent_password" // detail: the name
)

// audit records an action of the logged-in agent, when an Auditor is set.
func (s *Server) audit(agent, action, detail string) {
	if s.auditor != nil {
		s.auditor.Audit(s.now(), agent, action, detail)
	}
}

// actionLabels are the French names of the audited actions.
var actionLabels = map[string]string{
	"unlock":            "Déverrouillage par code agent",
	"override":          "Site ouvert pour la session",
	"extend":            "Prolongation de la session",
	"end":               "Session terminée à distance",
	"message":           "Message sur la borne",
	"help_taken":        "Demande d'aide prise en charge",
	"pin_failed":        "Code PIN erroné",
	"pin_lockout":       "Clavier verrouillé",
	ActionLogin:         "Connexion à l'administration",
	ActionPassword:      "Mot de passe changé",
	ActionAgentAdd:      "Compte créé",
	ActionAgentRemove:   "Compte supprimé",
	ActionAgentPIN:      "Code PIN réinitialisé",
	ActionAgentPassword: "Mot de passe d'un compte défini",
	ActionAllowlistAdd:  "Adresse ajoutée à la liste autorisée",
}

// actionLabel returns the French name of action.
func actionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// detailLabel returns the detail of an entry in French.
func detailLabel(action, detail string) string {
	switch action {
	case "unlock":
		switch detail {
		case "start":
			return "nouvelle session accompagnée"
		case "upgrade":
			return "session passée en accompagnée"
		}
	case "extend":
		if d, err := time.ParseDuration(strings.TrimPrefix(detail, "+")); err == nil {
			return fmtSeconds(int(d/time.Second)) + " de plus"
		}
	case "help_taken":
		if d, err := time.ParseDuration(detail); err == nil {
			return "après " + fmtSeconds(int(d/time.Second))
		}
	case "pin_lockout":
		if d, err := time.ParseDuration(detail); err == nil {
			return "pendant " + fmtSeconds(int(d/time.Second))
		}
	case "message":
		switch detail {
		case "set":
			return "affiché"
		case "cleared":
			return "effacé"
		}
	case "pin_failed":
		if detail == "unlock" {
			return "déverrouillage"
		}
		if host, ok := strings.CutPrefix(detail, "override "); ok {
			return "ouverture de " + host
		}
	case ActionLogin:
		switch agent.Role(detail) {
		case agent.RoleAdmin:
			return "rôle administrateur"
		case agent.RoleAgent:
			return "rôle agent"
		}
	}
	return detail
}

// auditRow is one line of the audit page and CSV.
type auditRow struct {
	At                    time.Time
	Agent, Action, Detail string
	Code                  string // the stored action name
}

// auditData fills audit.tmpl.
type auditData struct {
	Period period
	Rows   []auditRow
	Error  string
}

// auditRows reads the audit log of p.
func (s *Server) auditRows(p period) ([]auditRow, error) {
	if s.auditor == nil {
		return nil, nil
	}
	entries, err := s.auditor.AuditLog(p.From, p.To)
	if err != nil {
		return nil, err
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{At: e.At.In(s.loc), Agent: e.Agent, Action: actionLabel(e.Action),
			Detail: detailLabel(e.Action, e.Detail), Code: e.Action}
	}
	return rows, nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, ws *webSession) {
	p, ok := s.requestPeriod(w, r, ws)
	if !ok {
		return
	}
	d := &auditData{Period: p}
	var err error
	if d.Rows, err = s.auditRows(p); err != nil {
		s.log.Error("reading the audit log", "err", err)
		s.renderError(w, http.StatusInternalServerError, ws, "Impossible de lire le journal ; voir le journal du service.")
		return
	}
	if s.auditor == nil {
		d.Error = "Le journal des actions n'est pas branché sur ce service."
	}
	s.render(w, http.StatusOK, "audit", &page{Title: "Journal des actions", Nav: "audit", session: ws, Data: d})
}

func (s *Server) handleAuditCSV(w http.ResponseWriter, r *http.Request, ws *webSession) {
	p, ok := s.requestPeriod(w, r, ws)
	if !ok {
		return
	}
	rows, err := s.auditRows(p)
	if err != nil {
		s.log.Error("reading the audit log", "err", err)
		s.renderError(w, http.StatusInternalServerError, ws, "Impossible de lire le journal ; voir le journal du service.")
		return
	}
	s.sendCSV(w, fmt.Sprintf("kiosk-journal-%s-%s.csv", p.FromValue(), p.ToValue()),
		func(w io.Writer) error { return writeAuditCSV(w, rows) })
}

// auditCSVHeader is the first row of the audit CSV.
var auditCSVHeader = []string{"Date", "Agent", "Action", "Détail", "Code"}

// writeAuditCSV writes rows like WriteCSV: UTF-8 with BOM, ";", CRLF, dates
// as AAAA-MM-JJ HH:MM. A text cell a spreadsheet could take for a formula
// gets a leading apostrophe.
func writeAuditCSV(w io.Writer, rows []auditRow) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(auditCSVHeader); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	for _, r := range rows {
		rec := []string{r.At.Format("2006-01-02 15:04"), csvText(r.Agent), csvText(r.Action), csvText(r.Detail), csvText(r.Code)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return nil
}

// csvText defuses a cell that a spreadsheet would read as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
