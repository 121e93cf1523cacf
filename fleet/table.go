package fleet

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/communes/kiosk/usage"
)

// Kind says how a row's cells read.
type Kind uint8

// Row kinds.
const (
	// Count is a plain number.
	Count Kind = iota
	// Minutes is a duration in whole minutes.
	Minutes
	// Percent is N out of Of.
	Percent
)

// Cell is one figure. Set is false where there is no figure: an unread
// terminal, or a total that a sum cannot give (a median).
type Cell struct {
	N, Of uint64
	Set   bool
}

// Row is one line of the report: a label, one cell per column, the total.
type Row struct {
	Label string
	Kind  Kind
	Cells []Cell
	Total Cell
}

// Section is a titled group of rows.
type Section struct {
	Title string
	// Prefix goes before the labels where the title is not shown (CSV).
	Prefix string
	Rows   []Row
}

// Column is one terminal of the report.
type Column struct {
	Name, URL string
	// Problem is why the terminal's figures are missing, in French; "" when
	// they are there.
	Problem string
	// Err is the error behind Problem, for the log.
	Err error
}

// Table is the report: terminals side by side and the totals.
type Table struct {
	From, To time.Time
	Columns  []Column
	Sections []Section
	// Missing counts the columns without figures.
	Missing int
}

// Problem describes in French why a terminal's figures are missing.
func Problem(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrFingerprint):
		return "certificat refusé : son empreinte n'est pas celle du fichier de configuration"
	case errors.Is(err, ErrUnauthorized):
		return "compte refusé par la borne (utilisateur ou mot de passe)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "borne injoignable : connexion refusée (service arrêté ou port fermé)"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "borne injoignable : pas de réponse dans le délai (éteinte ou hors réseau)"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "borne injoignable : nom inconnu (" + dnsErr.Name + ")"
	}
	return "borne injoignable : " + err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// counter reads one figure of a terminal's report.
type counter struct {
	label string
	kind  Kind
	get   func(r *usage.Report) uint64
}

// labelDays is the row whose total is not a sum: the fleet's days with a
// session, not the terminals' days added up.
const labelDays = "Jours avec au moins une session"

func minutes(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64((d + 30*time.Second) / time.Minute)
}

// The sections of the report, in order: those of the admin page's monthly
// report, then the France Services operators.
var sections = []struct {
	title, prefix string
	rows          []counter
}{
	{"Fréquentation", "", []counter{
		{"Sessions terminées", Count, func(r *usage.Report) uint64 { return r.Totals.Sessions }},
		{"Sessions commencées", Count, func(r *usage.Report) uint64 { return r.Totals.SessionsStarted }},
		{"Sessions accompagnées par un agent", Count, func(r *usage.Report) uint64 { return r.Totals.Supervised }},
		{labelDays, Count, func(r *usage.Report) uint64 { return activeDays([]*usage.Report{r}) }},
		{"Durée totale", Minutes, func(r *usage.Report) uint64 { return minutes(r.Totals.TotalDuration) }},
		{"Temps actif", Minutes, func(r *usage.Report) uint64 { return minutes(r.Totals.ActiveDuration) }},
		{"Temps inactif", Minutes, func(r *usage.Report) uint64 { return minutes(r.Totals.IdleDuration) }},
	}},
	{"Fin des sessions", "Fin : ", []counter{
		{"Terminée par l'usager", Count, func(r *usage.Report) uint64 { return r.Totals.EndedBy[usage.EndUser] }},
		{"Inactivité", Count, func(r *usage.Report) uint64 { return r.Totals.EndedBy[usage.EndIdle] }},
		{"Durée maximale atteinte", Count, func(r *usage.Report) uint64 { return r.Totals.EndedBy[usage.EndTimeLimit] }},
		{"Terminée par un agent", Count, func(r *usage.Report) uint64 { return r.Totals.EndedBy[usage.EndAgent] }},
		{"Incident du navigateur", Count, func(r *usage.Report) uint64 { return r.Totals.EndedBy[usage.EndCrash] }},
	}},
	{"« Avez-vous pu faire votre démarche ? »", "Satisfaction : ", []counter{
		{"Oui", Count, func(r *usage.Report) uint64 { return r.Totals.SatisfactionYes }},
		{"En partie", Count, func(r *usage.Report) uint64 { return r.Totals.SatisfactionPartly }},
		{"Non", Count, func(r *usage.Report) uint64 { return r.Totals.SatisfactionNo }},
	}},
	{"Accompagnement", "", []counter{
		{"Demandes d'aide", Count, func(r *usage.Report) uint64 { return r.Totals.HelpRequests }},
		{"Déverrouillages par un agent", Count, func(r *usage.Report) uint64 { return r.Totals.AgentUnlocks }},
		{"Prolongations", Count, func(r *usage.Report) uint64 { return r.Totals.Extensions }},
		{"Dérogations", Count, func(r *usage.Report) uint64 { return r.Totals.Overrides }},
		{"Impressions", Count, func(r *usage.Report) uint64 { return r.Totals.Prints }},
	}},
	{"Incidents", "", []counter{
		{"Échecs d'effacement", Count, func(r *usage.Report) uint64 { return r.Totals.WipeFailures }},
		{"Requêtes bloquées", Count, func(r *usage.Report) uint64 { return r.Totals.BlockedRequests }},
	}},
}

// activeDays counts the days on which at least one of rs had a session.
func activeDays(rs []*usage.Report) uint64 {
	days := map[string]bool{}
	for _, r := range rs {
		for _, d := range r.Days {
			if d.Sessions > 0 {
				days[d.Date] = true
			}
		}
	}
	return uint64(len(days))
}

// satisfiedAfter is the section after whose rows the satisfied ratio goes.
const satisfiedAfter = 2

// operatorsTitle heads the France Services section.
const operatorsTitle = "Démarches par opérateur France Services (sessions par site, sites de l'opérateur additionnés)"

// OtherSites labels the sites of no France Services operator.
const OtherSites = "Autres sites"

// NewTable builds the report of results for the days from..to.
func NewTable(from, to time.Time, results []Result) *Table {
	t := &Table{From: from, To: to}
	for _, r := range results {
		col := Column{Name: r.Name, URL: r.URL, Problem: Problem(r.Err), Err: r.Err}
		if r.Err == nil && r.Report == nil {
			col.Problem = "borne injoignable : pas de chiffres"
		}
		if col.Problem != "" {
			t.Missing++
		}
		t.Columns = append(t.Columns, col)
	}
	ok := func(i int) bool { return t.Columns[i].Problem == "" }
	var read []*usage.Report
	for i, r := range results {
		if ok(i) {
			read = append(read, r.Report)
		}
	}
	for si, s := range sections {
		sec := Section{Title: s.title, Prefix: s.prefix}
		for _, c := range s.rows {
			row := Row{Label: c.label, Kind: c.kind, Total: Cell{Set: true}}
			for i, r := range results {
				var cell Cell
				if ok(i) {
					cell = Cell{N: c.get(r.Report), Set: true}
					row.Total.N += cell.N
				}
				row.Cells = append(row.Cells, cell)
			}
			if c.label == labelDays {
				row.Total.N = activeDays(read)
			}
			sec.Rows = append(sec.Rows, row)
		}
		if si == satisfiedAfter {
			sec.Rows = append(sec.Rows, satisfiedRow(results, ok))
		}
		t.Sections = append(t.Sections, sec)
	}
	t.Sections = append(t.Sections, operatorSection(results, ok))
	return t
}

// satisfiedRow is the share of "Oui" among the answers.
func satisfiedRow(results []Result, ok func(int) bool) Row {
	row := Row{Label: "Démarches abouties (part des « Oui »)", Kind: Percent, Total: Cell{Set: true}}
	for i, r := range results {
		var cell Cell
		if ok(i) {
			c := r.Report.Totals
			cell = Cell{N: c.SatisfactionYes, Of: c.SatisfactionYes + c.SatisfactionPartly + c.SatisfactionNo, Set: true}
			row.Total.N += cell.N
			row.Total.Of += cell.Of
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

// operatorSection adds up each terminal's sites by France Services operator.
func operatorSection(results []Result, ok func(int) bool) Section {
	labels := append(append([]string{}, Operators...), OtherSites)
	sec := Section{Title: operatorsTitle, Prefix: "France Services : "}
	for _, op := range labels {
		row := Row{Label: op, Kind: Count, Total: Cell{Set: true}}
		for i, r := range results {
			var cell Cell
			if ok(i) {
				cell.Set = true
				for site, n := range r.Report.Totals.Sites {
					got := r.Operators[site]
					if got == op || (op == OtherSites && got == "") {
						cell.N += n
					}
				}
				row.Total.N += cell.N
			}
			row.Cells = append(row.Cells, cell)
		}
		sec.Rows = append(sec.Rows, row)
	}
	return sec
}
