package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/communes/kiosk/usage"
)

// maxRangeDays bounds a requested range (a little over three years).
const maxRangeDays = 1200

// dateLayout is the AAAA-MM-JJ form used in URLs, the CSV and the CLI.
const dateLayout = "2006-01-02"

// period is a range of calendar days.
type period struct {
	Key      string // today | week | month | range
	Label    string // French, for the page title
	From, To time.Time
}

// FromValue and ToValue fill the date inputs.
func (p period) FromValue() string { return p.From.Format(dateLayout) }

// ToValue is the last day as AAAA-MM-JJ.
func (p period) ToValue() string { return p.To.Format(dateLayout) }

// dayStart returns midnight of t's day in loc.
func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// parsePeriod reads ?p=today|week|month or ?from=&to= (AAAA-MM-JJ).
// Without parameters it is the current month.
func parsePeriod(q url.Values, now time.Time, loc *time.Location) (period, error) {
	today := dayStart(now, loc)
	from, to := q.Get("from"), q.Get("to")
	if from != "" || to != "" {
		return parseRange(from, to, loc)
	}
	switch q.Get("p") {
	case "today":
		return period{Key: "today", Label: "Aujourd'hui", From: today, To: today}, nil
	case "week":
		back := (int(today.Weekday()) + 6) % 7 // days since Monday
		return period{Key: "week", Label: "Cette semaine", From: today.AddDate(0, 0, -back), To: today}, nil
	case "", "month":
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
		return period{Key: "month", Label: "Ce mois-ci (" + fmtMonth(today) + ")", From: first, To: today}, nil
	}
	return period{}, errors.New("période inconnue")
}

// parseRange parses two AAAA-MM-JJ dates; a missing one equals the other.
func parseRange(from, to string, loc *time.Location) (period, error) {
	if from == "" {
		from = to
	}
	if to == "" {
		to = from
	}
	f, err := time.ParseInLocation(dateLayout, from, loc)
	if err != nil {
		return period{}, fmt.Errorf("date de début invalide %q (format AAAA-MM-JJ)", from)
	}
	t, err := time.ParseInLocation(dateLayout, to, loc)
	if err != nil {
		return period{}, fmt.Errorf("date de fin invalide %q (format AAAA-MM-JJ)", to)
	}
	if t.Before(f) {
		return period{}, errors.New("la date de fin précède la date de début")
	}
	if days(f, t) > maxRangeDays {
		return period{}, fmt.Errorf("période trop longue (au plus %d jours)", maxRangeDays)
	}
	return period{Key: "range", Label: "Du " + f.Format("02/01/2006") + " au " + t.Format("02/01/2006"), From: f, To: t}, nil
}

// days returns the number of calendar days from..to, inclusive.
func days(from, to time.Time) int {
	f := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	t := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return int(t.Sub(f)/(24*time.Hour)) + 1
}

// requestPeriod parses the request's period; on a bad one it answers 400
// and returns false.
func (s *Server) requestPeriod(w http.ResponseWriter, r *http.Request, ws *webSession) (period, bool) {
	p, err := parsePeriod(r.URL.Query(), s.now(), s.loc)
	if err != nil {
		s.renderError(w, http.StatusBadRequest, ws, "Période invalide : "+err.Error()+".")
		return period{}, false
	}
	return p, true
}

// requestReport reads the usage report of the request's period; on an
// error it answers and returns false.
func (s *Server) requestReport(w http.ResponseWriter, r *http.Request, ws *webSession) (period, *usage.Report, bool) {
	p, ok := s.requestPeriod(w, r, ws)
	if !ok {
		return p, nil, false
	}
	rep, err := s.store.Report(p.From, p.To)
	if err != nil {
		s.log.Error("reading usage report", "err", err)
		s.renderError(w, http.StatusInternalServerError, ws, "Impossible de lire les statistiques ; voir le journal du service.")
		return p, nil, false
	}
	return p, rep, true
}

// sendCSV answers with a CSV attachment named name, written by write.
func (s *Server) sendCSV(w http.ResponseWriter, name string, write func(io.Writer) error) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if err := write(w); err != nil {
		s.log.Warn("sending csv", "file", name, "err", err)
	}
}
