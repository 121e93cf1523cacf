package admin

import (
	"fmt"
	"io"
	"strings"

	"github.com/communes/kiosk/usage"
)

// WriteText writes the totals of rep as French plain text, the figures of
// the dashboard, for `kiosk stats`.
func WriteText(w io.Writer, rep *usage.Report) error {
	s := summarize(rep.Totals)
	t := s.T
	var b strings.Builder
	fmt.Fprintf(&b, "Période : du %s au %s\n\n", rep.From, rep.To)
	line := func(label, v string) { fmt.Fprintf(&b, "%-28s %s\n", label, v) }
	line("Sessions terminées", fmtNum(t.Sessions))
	line("Sessions commencées", fmtNum(t.SessionsStarted))
	line("Sessions accompagnées", fmtNum(t.Supervised))
	line("Durée médiane", fmtDuration(t.MedianDuration))
	line("Durée totale", fmtDuration(t.TotalDuration))
	line("Temps actif / inactif", fmtDuration(t.ActiveDuration)+" / "+fmtDuration(t.IdleDuration))
	line("Demandes d'aide", fmtNum(t.HelpRequests))
	line("Impressions", fmtNum(t.Prints))
	line("Déverrouillages agent", fmtNum(t.AgentUnlocks))
	line("Prolongations", fmtNum(t.Extensions))
	line("Dérogations", fmtNum(t.Overrides))
	line("Échecs d'effacement", fmtNum(t.WipeFailures))
	line("Requêtes bloquées", fmtNum(t.BlockedRequests))
	b.WriteString("\nFin des sessions\n")
	for _, r := range s.Reasons {
		fmt.Fprintf(&b, "  %-26s %6s  %s\n", r.Label, fmtNum(r.N), r.Pct)
	}
	fmt.Fprintf(&b, "\n« Avez-vous pu faire votre démarche ? » (%s réponses)\n", fmtNum(s.Answers))
	for _, r := range s.Satisfaction {
		fmt.Fprintf(&b, "  %-26s %6s  %s\n", r.Label, fmtNum(r.N), r.Pct)
	}
	b.WriteString("\nSessions par heure de début\n")
	for h, n := range t.Hours {
		if n > 0 {
			fmt.Fprintf(&b, "  %2d h  %6s\n", h, fmtNum(n))
		}
	}
	if len(s.Sites) > 0 {
		b.WriteString("\nDémarches les plus fréquentes\n")
		for _, r := range s.Sites {
			fmt.Fprintf(&b, "  %-26s %6s  %s\n", r.Label, fmtNum(r.N), r.Pct)
		}
	}
	b.WriteString("\nClés USB : menaces détectées (fichiers refusés par l'antivirus)\n")
	if len(s.Threats) == 0 {
		b.WriteString("  aucune\n")
	}
	for _, r := range s.Threats {
		fmt.Fprintf(&b, "  %-40s %6s\n", r.Label, fmtNum(r.N))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
