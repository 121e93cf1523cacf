package admin

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"

	"github.com/communes/kiosk/usage"
)

// reasonLabels are the French names of the end reasons.
var reasonLabels = map[usage.EndReason]string{
	usage.EndUser:      "Terminée par l'usager",
	usage.EndIdle:      "Inactivité",
	usage.EndTimeLimit: "Durée maximale atteinte",
	usage.EndAgent:     "Terminée par un agent",
	usage.EndCrash:     "Incident du navigateur",
}

// row is one labelled count with its share, for tables and bars.
type row struct {
	Key   string
	Label string
	N     uint64
	Pct   string
	Width int // bar width in percent of the largest row
}

// summary is the view of one usage.Counts, shared by the dashboard and the
// monthly report.
type summary struct {
	T            usage.Counts
	Reasons      []row
	Sites        []row
	Satisfaction []row
	Answers      uint64 // satisfaction answers
	Threats      []row  // USB key files refused by the antivirus, by signature
	Hours        template.HTML
}

// dashboardData fills dashboard.tmpl.
type dashboardData struct {
	Period  period
	Summary summary
	Daily   template.HTML
}

// maxSites is how many site groups the dashboard lists.
const maxSites = 10

func summarize(c usage.Counts) summary {
	s := summary{T: c, Hours: hoursChart(c.Hours)}
	for _, r := range usage.EndReasons {
		s.Reasons = append(s.Reasons, row{Key: string(r), Label: reasonLabels[r], N: c.EndedBy[r], Pct: fmtPct(c.EndedBy[r], c.Sessions)})
	}
	for name, n := range c.Sites {
		s.Sites = append(s.Sites, row{Label: name, N: n})
	}
	slices.SortFunc(s.Sites, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Label, b.Label))
	})
	if len(s.Sites) > maxSites {
		s.Sites = s.Sites[:maxSites]
	}
	for i := range s.Sites {
		s.Sites[i].Pct = fmtPct(s.Sites[i].N, c.Sessions)
		s.Sites[i].Width = int(s.Sites[i].N * 100 / s.Sites[0].N)
	}
	for name, n := range c.Threats {
		s.Threats = append(s.Threats, row{Label: name, N: n})
	}
	slices.SortFunc(s.Threats, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Label, b.Label))
	})
	s.Answers = c.SatisfactionYes + c.SatisfactionPartly + c.SatisfactionNo
	s.Satisfaction = []row{
		{Key: "yes", Label: "Oui", N: c.SatisfactionYes, Pct: fmtPct(c.SatisfactionYes, s.Answers)},
		{Key: "partly", Label: "En partie", N: c.SatisfactionPartly, Pct: fmtPct(c.SatisfactionPartly, s.Answers)},
		{Key: "no", Label: "Non", N: c.SatisfactionNo, Pct: fmtPct(c.SatisfactionNo, s.Answers)},
	}
	return s
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, ws *webSession) {
	p, rep, ok := s.requestReport(w, r, ws)
	if !ok {
		return
	}
	d := &dashboardData{Period: p, Summary: summarize(rep.Totals), Daily: dailyChart(rep.Days)}
	s.render(w, http.StatusOK, "dashboard", &page{Title: "Tableau de bord", Nav: "dashboard", session: ws, Data: d})
}
