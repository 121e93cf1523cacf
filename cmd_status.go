package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/communes/kiosk/kiosk"
	"github.com/communes/kiosk/maintenance"
)

// statusReport is what `kiosk status` prints: the admin page's "État du
// système" block, read on the machine itself (for IT over SSH).
type statusReport struct {
	Version       string             `json:"version"`
	System        maintenance.System `json:"system"`
	RebootSince   time.Time          `json:"reboot_pending_since,omitzero"`
	RebootOverdue bool               `json:"reboot_overdue,omitempty"`
	// Terminal is the service's session state ("welcome", "active",
	// "out_of_order"...), or "unreachable"; Cause says why the terminal
	// is out of order (a browser that no longer starts since an update,
	// a failed wipe...), as the admin page does.
	Terminal string `json:"terminal"`
	Cause    string `json:"cause,omitempty"`
}

// runStatus is `kiosk status`.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	reboot := fs.String("reboot-required", maintenance.DefaultRebootRequired, "the `FILE` whose existence means a reboot is pending")
	log := fs.String("unattended-log", maintenance.DefaultUnattendedLog, "unattended-upgrades' log `FILE`")
	admin := fs.String("admin", "http://127.0.0.1:8080", "`URL` of the service's local API, for the terminal's state")
	data := fs.String("data", defaultDataDir, "the service's data `DIR` (its API token, DIR/api.token, readable by root)")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := statusReport{Version: version, System: maintenance.ReadSystem(ctx, *log)}
	r.Terminal, r.Cause = terminalState(ctx, *admin, filepath.Join(*data, "api.token"))
	if fi, err := os.Stat(*reboot); err == nil {
		r.RebootSince = fi.ModTime()
		r.RebootOverdue = time.Since(r.RebootSince) > maintenance.DefaultOverdueAfter
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "kiosk status: %v\n", err)
			return 1
		}
		return 0
	}
	printStatus(stdout, r)
	return 0
}

// terminalState asks the service for its session state; "unreachable" and
// the reason when it does not answer.
func terminalState(ctx context.Context, admin, tokenFile string) (state, cause string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := kiosk.NewAPIClient(admin, tokenFile).State(ctx, -1, 0)
	if errors.Is(err, fs.ErrPermission) {
		return "unknown", "sudo kiosk status (seul root lit le jeton de l'API, " + tokenFile + ")"
	}
	if err != nil {
		return "unreachable", err.Error()
	}
	return st.State, st.Error
}

// printStatus prints r as the admin page's block, in French.
func printStatus(w io.Writer, r statusReport) {
	s := r.System
	last := "jamais (ou journal absent)"
	if !s.LastRun.IsZero() {
		last = s.LastRun.Format("02/01/2006 15:04") + " : "
		switch s.LastResult {
		case "ok":
			last += fmt.Sprintf("installée %v", s.LastPackages)
		case "nothing to do":
			last += "rien à installer"
		case "":
			last += "en cours ou interrompue"
		default:
			last += "ÉCHEC : " + s.LastResult
		}
	}
	waiting := "inconnu"
	if s.Waiting >= 0 {
		waiting = fmt.Sprint(s.Waiting)
	}
	pending := "aucun"
	if !r.RebootSince.IsZero() {
		pending = "redémarrage de la borne depuis le " + r.RebootSince.Format("02/01/2006 15:04")
		if r.RebootOverdue {
			pending += " (PLUS DE 7 JOURS)"
		}
	}
	webkit := s.WebKitVersion
	if webkit == "" {
		webkit = "inconnue"
	}
	terminal := map[string]string{
		"welcome": "en service (accueil)", "unlock": "en service (code d'un agent)", "active": "en service (session en cours)",
		"countdown": "en service (session en cours)", "ending": "en service (fin de session)", "wiping": "en service (effacement)",
		"out_of_order": "HORS SERVICE", "unreachable": "SERVICE INJOIGNABLE", "unknown": "état inconnu",
	}[r.Terminal]
	if terminal == "" {
		terminal = r.Terminal
	}
	if r.Cause != "" {
		terminal += " : " + r.Cause
	}
	fmt.Fprintf(w, "Borne : %s\nDernière mise à jour automatique : %s\nPaquets en attente : %s\nRedémarrage en attente : %s\nWebKitGTK : %s\nVersion du kiosque : %s\n",
		terminal, last, waiting, pending, webkit, r.Version)
}
