package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pageNames are the templates in templates/, each rendered inside layout.tmpl.
var pageNames = []string{"dashboard", "blocked", "allowlist", "report", "login", "setup", "password", "error",
	"live", "agents", "audit"}

// page is what every template gets.
type page struct {
	Title    string
	Nav      string // active navigation entry
	CSRF     string // per-session CSRF token; "" for anonymous pages
	LoggedIn bool
	User     string // logged-in account's name
	Admin    bool   // logged-in account has the admin role
	Status   Status
	Print    bool // printable layout (no navigation)
	Data     any

	session *webSession // the logged-in session; fills LoggedIn, CSRF, User, Admin
}

func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.tmpl").Funcs(funcs).ParseFS(assets, "templates/layout.tmpl", "templates/parts.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parsing layout: %w", err)
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, n := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(assets, "templates/"+n+".tmpl")
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", n, err)
		}
		pages[n] = t
	}
	return pages, nil
}

// render writes page name with status code, buffering so that a template
// error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, code int, name string, p *page) {
	if ws := p.session; ws != nil {
		p.LoggedIn, p.CSRF, p.User, p.Admin = true, ws.csrf, ws.user.name, ws.user.isAdmin()
	}
	if p.LoggedIn {
		p.Status = s.liveStatus()
		p.Status.AllowlistLoaded = inLoc(p.Status.AllowlistLoaded, s.loc)
		p.Status.AllowlistErrorAt = inLoc(p.Status.AllowlistErrorAt, s.loc)
		p.Status.HelpRequested = inLoc(p.Status.HelpRequested, s.loc)
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout.tmpl", p); err != nil {
		s.log.Error("rendering page", "page", name, "err", err)
		http.Error(w, "Erreur interne.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

// inLoc returns t in loc, keeping the zero time zero.
func inLoc(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// renderError shows a French error message inside the layout.
func (s *Server) renderError(w http.ResponseWriter, code int, ws *webSession, msg string) {
	p := &page{Title: "Erreur", Data: msg}
	p.session = ws
	s.render(w, code, "error", p)
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

var frDays = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

var funcs = template.FuncMap{
	"datetime": fmtDateTime,
	"dur":      fmtDuration,
	"num":      fmtNum,
	"pct":      fmtPct,
	"month":    fmtMonth,
	"longdate": fmtLongDate,
}

func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("02/01/2006 à 15:04")
}

func fmtMonth(t time.Time) string { return frMonths[t.Month()-1] + " " + strconv.Itoa(t.Year()) }

func fmtLongDate(t time.Time) string {
	return fmt.Sprintf("%s %d %s %d", frDays[t.Weekday()], t.Day(), frMonths[t.Month()-1], t.Year())
}

// fmtDuration prints a duration the French way: "45 s", "12 min", "2 h 05".
func fmtDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 min"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	return fmt.Sprintf("%s h %02d", fmtNum(uint64(h)), m)
}

// fmtNum prints n with a narrow no-break space between thousands.
func fmtNum(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString("\u202f")
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// fmtPct prints part/total as a French percentage ("42 %"), "—" when total is 0.
func fmtPct(part, total uint64) string {
	if total == 0 {
		return "—"
	}
	return strconv.FormatUint((part*100+total/2)/total, 10) + "\u00a0%"
}
