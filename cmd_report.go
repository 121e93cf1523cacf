package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/communes/kiosk/fleet"
)

// defaultReportConfig is the default --config of `kiosk report`.
var defaultReportConfig = filepath.Join(filepath.Dir(defaultAllowlist), "report.yaml")

// stringsFlag collects a repeated flag.
type stringsFlag []string

func (f *stringsFlag) String() string     { return strings.Join(*f, ",") }
func (f *stringsFlag) Set(v string) error { *f = append(*f, v); return nil }

// runReport is `kiosk report`: it reads the figures of several terminals
// over HTTPS (package fleet) and prints one report, a column per terminal
// and the totals. A terminal that cannot be read is named in the report
// and the exit code is 1.
func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "first `DAY` (AAAA-MM-JJ); default the first day of last month")
	to := fs.String("to", "", "last `DAY` (AAAA-MM-JJ); default the last day of the --from month")
	var terminals stringsFlag
	fs.Var(&terminals, "terminal", "a terminal's admin page `URL` (https://host:port), repeat for each; default every terminal of --config")
	config := fs.String("config", defaultReportConfig, "config `FILE`: the admin account and each terminal's certificate fingerprint")
	asCSV := fs.Bool("csv", false, "write CSV for a French spreadsheet (UTF-8 with BOM, ';') instead of HTML")
	out := fs.String("out", "", "write the report to `FILE` instead of the standard output")
	timeout := fs.Duration("timeout", fleet.DefaultTimeout, "give up on a terminal after this `DURATION`")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	f, t, err := reportDays(*from, *to, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "kiosk report: %v\n", err)
		return 2
	}
	conf, err := fleet.ReadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk report: %v\n", err)
		return 2
	}
	sel, err := conf.Select(terminals)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk report: %v\n", err)
		return 2
	}
	results := (&fleet.Client{Timeout: *timeout}).Fetch(context.Background(), sel, f.Format(time.DateOnly), t.Format(time.DateOnly))
	table := fleet.NewTable(f, t, results)
	if err := writeReport(table, *out, *asCSV, stdout); err != nil {
		fmt.Fprintf(stderr, "kiosk report: %v\n", err)
		return 1
	}
	for _, c := range table.Columns {
		if c.Problem != "" {
			fmt.Fprintf(stderr, "kiosk report: %s (%s) not counted: %s: %v\n", c.Name, c.URL, c.Problem, c.Err)
		}
	}
	if table.Missing > 0 {
		return 1
	}
	return 0
}

// reportDays reads --from and --to; by default the whole of last month.
func reportDays(from, to string, now time.Time) (time.Time, time.Time, error) {
	var f, t time.Time
	var err error
	if from == "" {
		y, m, _ := now.Date()
		f = time.Date(y, m-1, 1, 0, 0, 0, 0, time.Local)
	} else if f, err = time.ParseInLocation(time.DateOnly, from, time.Local); err != nil {
		return f, t, fmt.Errorf("bad --from %q: want AAAA-MM-JJ", from)
	}
	if to == "" {
		t = time.Date(f.Year(), f.Month()+1, 0, 0, 0, 0, 0, time.Local)
	} else if t, err = time.ParseInLocation(time.DateOnly, to, time.Local); err != nil {
		return f, t, fmt.Errorf("bad --to %q: want AAAA-MM-JJ", to)
	}
	if t.Before(f) {
		return f, t, fmt.Errorf("--to %s is before --from %s", t.Format(time.DateOnly), f.Format(time.DateOnly))
	}
	return f, t, nil
}

// writeReport writes the table as CSV or HTML to path, or to stdout.
func writeReport(t *fleet.Table, path string, asCSV bool, stdout io.Writer) (err error) {
	w := stdout
	if path != "" {
		file, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("creating report: %w", err)
		}
		defer func() {
			if cerr := file.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("writing report: %w", cerr)
			}
		}()
		w = file
	}
	if asCSV {
		return fleet.WriteCSV(w, t)
	}
	return fleet.WriteHTML(w, t, time.Now())
}
