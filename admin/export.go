package admin

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/communes/kiosk/usage"
)

// csvHeader is the first row of the CSV export, in French.
var csvHeader = []string{
	"Date", "Sessions terminées", "Sessions commencées", "Sessions accompagnées",
	"Durée totale (min)", "Durée médiane (min)", "Temps actif (min)", "Temps inactif (min)",
	"Fin : usager", "Fin : inactivité", "Fin : durée maximale", "Fin : agent", "Fin : incident",
	"Satisfaction : oui", "Satisfaction : en partie", "Satisfaction : non",
	"Demandes d'aide", "Déverrouillages agent", "Prolongations", "Dérogations",
	"Échecs d'effacement", "Requêtes bloquées",
	// New columns go last, so that existing spreadsheets keep their positions.
	"Impressions",
}

// WriteCSV writes the daily counts of rep as a CSV file that opens as is in
// a French spreadsheet (LibreOffice, Excel): UTF-8 with a byte order mark,
// ";" separators, CRLF line ends, dates as AAAA-MM-JJ, durations in whole
// minutes, French headers. Every cell is a date or an integer.
func WriteCSV(w io.Writer, rep *usage.Report) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	rec := make([]string, len(csvHeader))
	for _, d := range rep.Days {
		csvRecord(rec, d)
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

func csvRecord(rec []string, d usage.Day) {
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	m := func(t time.Duration) string { return strconv.FormatInt(int64((t+30*time.Second)/time.Minute), 10) }
	c := d.Counts
	vals := []string{
		d.Date, u(c.Sessions), u(c.SessionsStarted), u(c.Supervised),
		m(c.TotalDuration), m(c.MedianDuration), m(c.ActiveDuration), m(c.IdleDuration),
		u(c.EndedBy[usage.EndUser]), u(c.EndedBy[usage.EndIdle]), u(c.EndedBy[usage.EndTimeLimit]),
		u(c.EndedBy[usage.EndAgent]), u(c.EndedBy[usage.EndCrash]),
		u(c.SatisfactionYes), u(c.SatisfactionPartly), u(c.SatisfactionNo),
		u(c.HelpRequests), u(c.AgentUnlocks), u(c.Extensions), u(c.Overrides),
		u(c.WipeFailures), u(c.BlockedRequests),
		u(c.Prints),
	}
	copy(rec, vals)
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, ws *webSession) {
	p, rep, ok := s.requestReport(w, r, ws)
	if !ok {
		return
	}
	s.sendCSV(w, fmt.Sprintf("kiosk-%s-%s.csv", p.FromValue(), p.ToValue()),
		func(w io.Writer) error { return WriteCSV(w, rep) })
}
