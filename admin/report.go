package admin

import (
	"errors"
	"net/http"
	"time"
)

// maxReportMonths bounds the months of one printable report.
const maxReportMonths = 24

// monthReport is one printed page.
type monthReport struct {
	Month   time.Time
	Summary summary
	Days    int // days with at least one session
}

// reportData fills report.tmpl.
type reportData struct {
	From, To string // AAAA-MM, for the form
	Months   []monthReport
	Printed  time.Time
}

// parseMonths reads ?from=AAAA-MM&to=AAAA-MM; missing values mean the
// current month.
func parseMonths(from, to string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	cur := dayStart(now, loc)
	cur = cur.AddDate(0, 0, 1-cur.Day())
	parse := func(v string) (time.Time, error) {
		if v == "" {
			return cur, nil
		}
		t, err := time.ParseInLocation("2006-01", v, loc)
		if err != nil {
			return t, errors.New("mois invalide (format AAAA-MM)")
		}
		return t, nil
	}
	f, err := parse(from)
	if err != nil {
		return f, f, err
	}
	if to == "" && from != "" {
		to = from
	}
	t, err := parse(to)
	if err != nil {
		return f, t, err
	}
	if t.Before(f) {
		return f, t, errors.New("le mois de fin précède le mois de début")
	}
	if n := (t.Year()-f.Year())*12 + int(t.Month()-f.Month()) + 1; n > maxReportMonths {
		return f, t, errors.New("au plus 24 mois par rapport")
	}
	return f, t, nil
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request, ws *webSession) {
	q := r.URL.Query()
	from, to, err := parseMonths(q.Get("from"), q.Get("to"), s.now(), s.loc)
	if err != nil {
		s.renderError(w, http.StatusBadRequest, ws, "Période invalide : "+err.Error()+".")
		return
	}
	d := &reportData{From: from.Format("2006-01"), To: to.Format("2006-01"), Printed: s.now().In(s.loc)}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		rep, err := s.store.Report(m, m.AddDate(0, 1, -1))
		if err != nil {
			s.log.Error("reading usage report", "err", err)
			s.renderError(w, http.StatusInternalServerError, ws, "Impossible de lire les statistiques ; voir le journal du service.")
			return
		}
		mr := monthReport{Month: m, Summary: summarize(rep.Totals)}
		for _, d := range rep.Days {
			if d.Sessions > 0 {
				mr.Days++
			}
		}
		d.Months = append(d.Months, mr)
	}
	s.render(w, http.StatusOK, "report", &page{Title: "Rapport mensuel", Nav: "report", session: ws, Data: d})
}
