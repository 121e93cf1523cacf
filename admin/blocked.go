package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/communes/kiosk/usage"
)

// Learning view defaults.
const (
	defaultBlockedDays = 30
	maxBlockedDays     = 400
	maxBlockedRows     = 500
)

// blockedRow is one refused host on the "Sites à compléter" page.
type blockedRow struct {
	usage.BlockedHost
	YAML string // the line to paste under the site's hosts:
}

// blockedData fills blocked.tmpl.
type blockedData struct {
	Days      int
	Choices   []dayChoice
	Rows      []blockedRow
	Truncated int // rows not shown
}

// dayChoice is a link of the period selector.
type dayChoice struct {
	Days  int
	Label string
}

var blockedChoices = []dayChoice{{1, "Aujourd'hui"}, {7, "7 derniers jours"}, {30, "30 derniers jours"}, {90, "90 derniers jours"}}

// yamlHostLine is the allowlist line that allows host, indented to sit
// under a site's "hosts:" key.
func yamlHostLine(host string) string { return "      - " + host }

func (s *Server) handleBlocked(w http.ResponseWriter, r *http.Request, ws *webSession) {
	n := defaultBlockedDays
	if v := r.URL.Query().Get("days"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 1 || d > maxBlockedDays {
			s.renderError(w, http.StatusBadRequest, ws, "Nombre de jours invalide (de 1 à 400).")
			return
		}
		n = d
	}
	today := dayStart(s.now(), s.loc)
	hosts, err := s.store.BlockedHosts(today.AddDate(0, 0, -(n-1)), today)
	if err != nil {
		s.log.Error("reading blocked hosts", "err", err)
		s.renderError(w, http.StatusInternalServerError, ws, "Impossible de lire les sites bloqués ; voir le journal du service.")
		return
	}
	d := &blockedData{Days: n, Choices: blockedChoices}
	if len(hosts) > maxBlockedRows {
		d.Truncated = len(hosts) - maxBlockedRows
		hosts = hosts[:maxBlockedRows]
	}
	for _, h := range hosts {
		h.LastSeen = h.LastSeen.In(s.loc)
		d.Rows = append(d.Rows, blockedRow{BlockedHost: h, YAML: yamlHostLine(h.Host)})
	}
	s.render(w, http.StatusOK, "blocked", &page{Title: "Sites à compléter", Nav: "blocked", session: ws, Data: d})
}

// allowlistData fills allowlist.tmpl.
type allowlistData struct {
	Now time.Time
}

func (s *Server) handleAllowlist(w http.ResponseWriter, r *http.Request, ws *webSession) {
	s.render(w, http.StatusOK, "allowlist", &page{Title: "Liste autorisée", Nav: "allowlist", session: ws,
		Data: &allowlistData{Now: s.now()}})
}
