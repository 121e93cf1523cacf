package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/communes/kiosk/maintenance"
)

// statusReport is what `kiosk status` prints: the admin page's "État du
// système" block, read on the machine itself (for IT over SSH).
type statusReport struct {
	Version       string             `json:"version"`
	System        maintenance.System `json:"system"`
	RebootSince   time.Time          `json:"reboot_pending_since,omitzero"`
	RebootOverdue bool               `json:"reboot_overdue,omitempty"`
}

// runStatus is `kiosk status`.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	reboot := fs.String("reboot-required", maintenance.DefaultRebootRequired, "the `FILE` whose existence means a reboot is pending")
	log := fs.String("unattended-log", maintenance.DefaultUnattendedLog, "unattended-upgrades' log `FILE`")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := statusReport{Version: version, System: maintenance.ReadSystem(ctx, *log)}
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
	fmt.Fprintf(w, "Dernière mise à jour automatique : %s\nPaquets en attente : %s\nRedémarrage en attente : %s\nWebKitGTK : %s\nVersion du kiosque : %s\n",
		last, waiting, pending, webkit, r.Version)
}
