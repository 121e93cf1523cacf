package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/communes/kiosk/allowlist"
)

const allowlistUsageText = `usage:
  kiosk allowlist check FILE
      Validate FILE. Prints "FILE: ok (...)" and exits 0, or prints every
      problem as "file:line:col: message" and exits 1.
  kiosk allowlist test [--supervised] FILE URL...
      Print, for each URL, allow or deny and the site and pattern that
      decided. Exits 0 if every URL is allowed, 1 if one is denied, 2 when
      FILE is invalid or on a usage error.
  kiosk allowlist keygen [-p PUB] [-s KEY]
      Write a key pair for signing allowlists served by --allowlist-url.
  kiosk allowlist sign [-s KEY] FILE
      Check FILE and write its signature (FILE.minisig).
`

// runAllowlist implements `kiosk allowlist check|test|sign|keygen`; sign
// and keygen are in cmd_sign.go.
func runAllowlist(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, allowlistUsageText)
		return 2
	}
	switch args[0] {
	case "check":
		return allowlistCheck(args[1:], stdout, stderr)
	case "test":
		return allowlistTest(args[1:], stdout, stderr)
	case "sign":
		return runAllowlistSign(args[1:], stdout, stderr)
	case "keygen":
		return runAllowlistKeygen(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, allowlistUsageText)
		return 0
	}
	fmt.Fprintf(stderr, "kiosk allowlist: unknown subcommand %q\n%s", args[0], allowlistUsageText)
	return 2
}

// allowlistCheck validates one file.
func allowlistCheck(args []string, stdout, stderr io.Writer) int {
	fs := newAllowlistFlags("check", "FILE", stderr)
	pos, code, ok := parseInterspersed(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "kiosk allowlist check: expected exactly one FILE")
		fs.Usage()
		return 2
	}
	l, err := allowlist.Load(pos[0])
	if err != nil {
		printLoadError(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%d sites, %d supervised, %d patterns)\n",
		pos[0], len(l.PublicSites()), len(l.SupervisedSites()), l.NumPatterns())
	return 0
}

// allowlistTest prints the decision for each URL.
func allowlistTest(args []string, stdout, stderr io.Writer) int {
	fs := newAllowlistFlags("test", "FILE URL...", stderr)
	supervised := fs.Bool("supervised", false, "include the supervised sites (an agent-unlocked session)")
	pos, code, ok := parseInterspersed(fs, args)
	if !ok {
		return code
	}
	if len(pos) < 2 {
		fmt.Fprintln(stderr, "kiosk allowlist test: expected FILE and at least one URL")
		fs.Usage()
		return 2
	}
	l, err := allowlist.Load(pos[0])
	if err != nil {
		printLoadError(stderr, err)
		return 2
	}
	code = 0
	for _, u := range pos[1:] {
		if !testURL(stdout, l, u, *supervised) {
			code = 1
		}
	}
	return code
}

// testURL prints one decision line and reports whether u is allowed.
func testURL(w io.Writer, l *allowlist.List, u string, supervised bool) bool {
	d, err := l.MatchURL(u, supervised)
	switch {
	case err != nil:
		fmt.Fprintf(w, "deny %s  (%v)\n", u, err)
	case d.Allowed:
		fmt.Fprintf(w, "allow %s  %s\n", u, describePattern(d.Pattern))
	default:
		if reason := denyReason(l, u); reason != "" {
			fmt.Fprintf(w, "deny %s  (%s)\n", u, reason)
			return false
		}
		if !supervised {
			if sd, _ := l.MatchURL(u, true); sd.Allowed {
				fmt.Fprintf(w, "deny %s  (supervised sessions only: %s; add --supervised)\n", u, describePattern(sd.Pattern))
				return false
			}
		}
		fmt.Fprintf(w, "deny %s  (no pattern matches)\n", u)
	}
	return err == nil && d.Allowed
}

// denyReason explains a denial that is not a plain miss: an IP address,
// or a port no pattern names although the host is allowed.
func denyReason(l *allowlist.List, u string) string {
	host, port, err := allowlist.SplitURL(u)
	if err != nil {
		return ""
	}
	if allowlist.IsIPLiteral(host) {
		return fmt.Sprintf("IP address %s: only an ips: entry naming it can allow it", host)
	}
	if port != 0 {
		if d := l.Match(host, 0, true); d.Allowed {
			return fmt.Sprintf("port %d: no pattern names it; %s allows only the default ports", port, describePattern(d.Pattern))
		}
	}
	return ""
}

// describePattern returns `site="CAF" pattern="caf.fr" (line 12)`.
func describePattern(p *allowlist.Pattern) string {
	return fmt.Sprintf("site=%q pattern=%q (line %d)", p.Site.Name, p.Raw, p.Line)
}

// printLoadError prints each problem of a file on its own line.
func printLoadError(w io.Writer, err error) {
	var errs allowlist.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(w, e)
		}
		return
	}
	fmt.Fprintln(w, "kiosk allowlist:", err)
}

// newAllowlistFlags returns the flag set of one subcommand.
func newAllowlistFlags(name, operands string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kiosk allowlist "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kiosk allowlist %s [flags] %s\n", name, operands)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags placed before, between or after the
// operands (so "test FILE URL --supervised" works) and returns the
// operands; everything after "--" is an operand. On --help it returns exit
// code 0, on a bad flag 2, with ok false.
func parseInterspersed(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	var flags []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.IndexByte(name, '=') < 0 && !isBoolFlag(fs, name) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, flagExit(err), false
	}
	return pos, 0, true
}

// isBoolFlag reports whether the flag called name takes no value.
func isBoolFlag(fs *flag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	if f == nil {
		return true // unknown: fs.Parse reports it
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
