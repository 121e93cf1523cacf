package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/communes/kiosk/agent"
)

// agentsData fills agents.tmpl.
type agentsData struct {
	Known         bool // agent accounts are wired
	Accounts      []agent.Account
	Notice, Error string
	Name          string // the name typed in the add form, after an error
}

// agentNotices are the messages of /agents?msg=…; nothing is reflected.
var agentNotices = map[string]string{
	"added":    "Compte créé.",
	"removed":  "Compte supprimé.",
	"pin":      "Code PIN changé.",
	"password": "Mot de passe défini. Les sessions ouvertes de ce compte sont fermées.",
}

func (s *Server) handleAgents(w http.ResponseWriter, r *http.Request, ws *webSession) {
	s.showAgents(w, ws, http.StatusOK, &agentsData{Notice: agentNotices[r.URL.Query().Get("msg")]})
}

// showAgents renders the agents page with d, listing the accounts.
func (s *Server) showAgents(w http.ResponseWriter, ws *webSession, code int, d *agentsData) {
	d.Known = s.agents != nil
	if d.Known {
		list, err := s.agents.List()
		if err != nil {
			s.log.Error("listing agents", "err", err)
			d.Error = "Impossible de lire le fichier des comptes ; voir le journal du service."
			code = http.StatusInternalServerError
		}
		d.Accounts = list
	}
	s.render(w, code, "agents", &page{Title: "Agents", Nav: "agents", session: ws, Data: d})
}

// agentAction runs an account change of the agents page: on success it
// audits and redirects with a notice; on failure it shows the page with a
// French message. PINs and passwords are never logged nor shown again.
func (s *Server) agentAction(act func(r *http.Request) (notice, action, detail string, err error)) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, ws *webSession) {
		if s.agents == nil {
			s.showAgents(w, ws, http.StatusServiceUnavailable, &agentsData{})
			return
		}
		s.hashSem <- struct{}{}
		notice, action, detail, err := act(r)
		<-s.hashSem
		if err == nil {
			s.log.Info("agent account changed", "action", action, "account", detail, "by", ws.user.name)
			s.audit(ws.user.name, action, detail)
			http.Redirect(w, r, "/agents?msg="+notice, http.StatusSeeOther)
			return
		}
		code, msg := accountError(err)
		if code == http.StatusInternalServerError {
			s.log.Error("changing an agent account", "err", err)
		}
		d := &agentsData{Error: msg}
		if r.URL.Path == "/agents/add" {
			d.Name = clip(r.PostFormValue("name"), 64)
		}
		s.showAgents(w, ws, code, d)
	}
}

// accountError returns the status and French message for an Agents error.
func accountError(err error) (int, string) {
	var inv *agent.ValidationError
	switch {
	case errors.As(err, &inv):
		switch inv.Field {
		case "name":
			return http.StatusBadRequest, "Nom invalide : de 1 à 40 caractères, sans caractère invisible."
		case "role":
			return http.StatusBadRequest, "Rôle invalide : agent ou administrateur."
		case "pin":
			return http.StatusBadRequest, "Code PIN refusé : de 6 à 12 chiffres, pas un seul chiffre répété ni une suite comme 123456."
		case "password":
			return http.StatusBadRequest, "Mot de passe refusé : au moins 10 caractères (obligatoire pour un administrateur)."
		}
		return http.StatusBadRequest, "Valeur invalide."
	case errors.Is(err, agent.ErrExists):
		return http.StatusConflict, "Un compte porte déjà ce nom."
	case errors.Is(err, agent.ErrPINInUse):
		return http.StatusConflict, "Ce code PIN est déjà celui d'un autre agent : choisissez-en un autre."
	case errors.Is(err, agent.ErrNotFound):
		return http.StatusNotFound, "Ce compte n'existe pas (ou plus)."
	case errors.Is(err, errConfirm):
		return http.StatusBadRequest, "Les deux saisies ne sont pas identiques."
	case errors.Is(err, errBuiltin):
		return http.StatusBadRequest, "Le nom « admin » est réservé au compte administrateur intégré (kiosk admin passwd)."
	}
	return http.StatusInternalServerError, "Impossible d'enregistrer ; voir le journal du service."
}

var (
	errConfirm = errors.New("confirmation differs")
	errBuiltin = errors.New("reserved name")
)

func (s *Server) handleAgentAdd(r *http.Request) (string, string, string, error) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if strings.EqualFold(name, BuiltinAdmin) {
		return "", "", "", errBuiltin
	}
	role, err := agent.ParseRole(r.PostFormValue("role"))
	if err != nil {
		return "", "", "", err
	}
	pin, pw := r.PostFormValue("pin"), r.PostFormValue("password")
	if pin != r.PostFormValue("pin_confirm") || pw != r.PostFormValue("password_confirm") {
		return "", "", "", errConfirm
	}
	if _, err := s.agents.Add(name, role, pin, pw); err != nil {
		return "", "", "", err
	}
	return "added", ActionAgentAdd, name + " (" + string(role) + ")", nil
}

func (s *Server) handleAgentRemove(r *http.Request) (string, string, string, error) {
	name := r.PostFormValue("name")
	if err := s.agents.Remove(name); err != nil {
		return "", "", "", err
	}
	return "removed", ActionAgentRemove, name, nil
}

func (s *Server) handleAgentPIN(r *http.Request) (string, string, string, error) {
	name, pin := r.PostFormValue("name"), r.PostFormValue("pin")
	if pin != r.PostFormValue("pin_confirm") {
		return "", "", "", errConfirm
	}
	if err := s.agents.ResetPIN(name, pin); err != nil {
		return "", "", "", err
	}
	return "pin", ActionAgentPIN, name, nil
}

func (s *Server) handleAgentPassword(r *http.Request) (string, string, string, error) {
	name, pw := r.PostFormValue("name"), r.PostFormValue("password")
	if pw != r.PostFormValue("password_confirm") {
		return "", "", "", errConfirm
	}
	if err := s.agents.SetPassword(name, pw); err != nil {
		return "", "", "", err
	}
	return "password", ActionAgentPassword, name, nil
}
