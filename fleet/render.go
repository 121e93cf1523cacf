package fleet

import (
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/report.tmpl
var templates embed.FS

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// frDate writes "1er novembre 2026".
func frDate(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func frPeriod(from, to time.Time) string {
	return "du " + frDate(from) + " au " + frDate(to)
}

// frNum writes n with a narrow no-break space between thousands.
func frNum(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cellText writes a cell for reading: "—" when there is no figure.
func cellText(k Kind, c Cell) string {
	if !c.Set {
		return "—"
	}
	switch k {
	case Minutes:
		if c.N < 60 {
			return strconv.FormatUint(c.N, 10) + "\u00a0min"
		}
		return fmt.Sprintf("%s\u00a0h\u00a0%02d", frNum(c.N/60), c.N%60)
	case Percent:
		if c.Of == 0 {
			return "—"
		}
		return strconv.FormatUint((c.N*100+c.Of/2)/c.Of, 10) + "\u00a0%"
	}
	return frNum(c.N)
}

// WriteHTML writes t as a self-contained French HTML page for printing
// (A4 landscape, no external resource). printed is the edition date.
func WriteHTML(w io.Writer, t *Table, printed time.Time) error {
	tmpl, err := template.New("report.tmpl").Funcs(template.FuncMap{
		"period":   frPeriod,
		"longdate": frDate,
		"cell":     cellText,
		"cols":     func() int { return len(t.Columns) + 2 },
	}).ParseFS(templates, "templates/report.tmpl")
	if err != nil {
		return fmt.Errorf("parsing report template: %w", err)
	}
	data := struct {
		*Table
		Printed time.Time
	}{t, printed}
	if err := tmpl.Execute(w, data); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// csvCell writes a cell for a spreadsheet: an integer (minutes for
// durations, a whole percentage for ratios), or empty without a figure.
func csvCell(k Kind, c Cell) string {
	if !c.Set || (k == Percent && c.Of == 0) {
		return ""
	}
	if k == Percent {
		return strconv.FormatUint((c.N*100+c.Of/2)/c.Of, 10)
	}
	return strconv.FormatUint(c.N, 10)
}

// csvLabel adds the section's prefix and the unit to a row's label.
func csvLabel(s Section, r Row) string {
	switch r.Kind {
	case Minutes:
		return s.Prefix + r.Label + " (min)"
	case Percent:
		return s.Prefix + r.Label + " (%)"
	}
	return s.Prefix + r.Label
}

// WriteCSV writes t for a French spreadsheet, as the admin page's export:
// UTF-8 with a byte order mark, ";" separators, CRLF line ends. The first
// rows name the terminals, their addresses and whether they were counted.
func WriteCSV(w io.Writer, t *Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	row := func(label string, cells func(i int) string, total string) {
		rec := []string{label}
		for i := range t.Columns {
			rec = append(rec, cells(i))
		}
		_ = cw.Write(append(rec, total))
	}
	row("Période "+t.From.Format("2006-01-02")+" – "+t.To.Format("2006-01-02"), func(i int) string { return t.Columns[i].Name }, "Total")
	row("Adresse", func(i int) string { return t.Columns[i].URL }, "")
	row("État", func(i int) string {
		if p := t.Columns[i].Problem; p != "" {
			return "non comptée : " + p
		}
		return "comptée"
	}, strconv.Itoa(len(t.Columns)-t.Missing)+" borne(s) comptée(s)")
	for _, s := range t.Sections {
		for _, r := range s.Rows {
			row(csvLabel(s, r), func(i int) string { return csvCell(r.Kind, r.Cells[i]) }, csvCell(r.Kind, r.Total))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return nil
}
