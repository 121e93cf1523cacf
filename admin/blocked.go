package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/communes/kiosk/allowlist"
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
	Day    string // BlockedHost.LastDay as "02/01/2006": days only, never a time
	Single bool   // seen in one session only: maybe a page's noise
	YAML   string // the line to paste under the site's hosts:
}

// blockedGroup is the refused hosts asked for by the pages of one site.
type blockedGroup struct {
	Site string // the allowlist site whose pattern allows the asking page; "" for none
	Rows []blockedRow
}

// blockedData fills blocked.tmpl.
type blockedData struct {
	Days      int
	Choices   []dayChoice
	Groups    []blockedGroup
	Rows      int // rows shown
	Truncated int // rows not shown
	// CanAdd shows the "Ajouter" buttons (admin role, local file); AddOff is
	// why they are disabled ("" when they work).
	CanAdd bool
	AddOff string
	Notice string
}

// dayChoice is a link of the period selector.
type dayChoice struct {
	Days  int
	Label string
}

var blockedChoices = []dayChoice{{1, "Aujourd'hui"}, {7, "7 derniers jours"}, {30, "30 derniers jours"}, {90, "90 derniers jours"}}

// blockedNotices are the messages of /blocked?msg=…; nothing is reflected.
var blockedNotices = map[string]string{
	"added": "Adresse ajoutée à la liste autorisée (copie de l'ancien fichier gardée à côté). La borne recharge la liste d'elle-même.",
}

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
	d := &blockedData{Days: n, Choices: blockedChoices, Notice: blockedNotices[r.URL.Query().Get("msg")]}
	if len(hosts) > maxBlockedRows {
		d.Truncated = len(hosts) - maxBlockedRows
		hosts = hosts[:maxBlockedRows]
	}
	d.Rows = len(hosts)
	d.Groups = s.groupBlocked(hosts)
	if ws.user.isAdmin() && s.allowlistFile != "" {
		d.CanAdd = true
		if err := s.writableErr(); err != nil {
			d.AddOff = "Le service ne peut pas modifier le fichier " + s.allowlistFile +
				" (il est en lecture seule pour lui, c'est le réglage par défaut du paquet) : copiez la ligne et ajoutez-la à la main. Voir docs/admin.md pour autoriser ce bouton."
		}
	}
	s.render(w, http.StatusOK, "blocked", &page{Title: "Sites à compléter", Nav: "blocked", session: ws, Data: d})
}

// groupBlocked groups hosts by the allowlist site that allows the asking page,
// keeping their order: a group comes where its first row would.
func (s *Server) groupBlocked(hosts []usage.BlockedHost) []blockedGroup {
	var list *allowlist.List
	if s.allowlist != nil {
		list = s.allowlist()
	}
	var groups []blockedGroup
	index := map[string]int{}
	for _, h := range hosts {
		site := ""
		if list != nil && h.From != "" {
			if st := list.Match(h.From, 0, true).Site(); st != nil {
				site = st.Name
			}
		}
		i, ok := index[site]
		if !ok {
			i = len(groups)
			index[site] = i
			groups = append(groups, blockedGroup{Site: site})
		}
		day := h.LastDay
		if t, err := time.Parse(time.DateOnly, h.LastDay); err == nil {
			day = t.Format("02/01/2006")
		}
		groups[i].Rows = append(groups[i].Rows, blockedRow{BlockedHost: h, Day: day,
			Single: h.Sessions <= 1, YAML: yamlHostLine(h.Host)})
	}
	return groups
}

// allowlistData fills allowlist.tmpl.
type allowlistData struct {
	Now time.Time
}

func (s *Server) handleAllowlist(w http.ResponseWriter, r *http.Request, ws *webSession) {
	s.render(w, http.StatusOK, "allowlist", &page{Title: "Liste autorisée", Nav: "allowlist", session: ws,
		Data: &allowlistData{Now: s.now()}})
}
