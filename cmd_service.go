package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kardianos/service"
)

// serviceName is the unit (systemd) and service (Windows SCM) name.
const serviceName = "kiosk"

// serviceStopTimeout bounds how long Stop waits for serve to return; the
// service manager kills the process a little later anyway.
const serviceStopTimeout = 20 * time.Second

// serviceUsage is printed by `kiosk service --help` and on usage errors.
const serviceUsage = `usage: kiosk service ACTION [serve flags]

actions:
  install [flags]  register the system service; the flags of 'kiosk serve'
                   given here are stored in the unit and used at every start
  uninstall        remove the system service (stop it first)
  start | stop | restart
  status           print running, stopped or not installed
                   (exit code 0 running, 3 stopped, 4 not installed, 1 error)

On Debian, the kiosk package already installs kiosk.service: set its flags in
/etc/default/kiosk and use start|stop|restart|status (or systemctl).
Run 'kiosk serve --help' for the flags.
`

// serviceCmd runs `kiosk service`. Its fields are the process edges, replaced
// by fakes in tests.
type serviceCmd struct {
	stdout, stderr io.Writer
	// newService is service.New in production.
	newService func(service.Interface, *service.Config) (service.Service, error)
	// serve is serveWith in production: it runs the service of the flags
	// (service.New, then Run) until ctx is done.
	serve func(ctx context.Context, f *serveFlags, stderr io.Writer) error
	// exit is os.Exit in production; called when serve ends on its own.
	exit func(code int)
	// packagedUnit returns the path of a unit installed by the OS package,
	// or "" when there is none.
	packagedUnit func() string
}

// runService is `kiosk service ACTION [flags]`.
func runService(args []string, stdout, stderr io.Writer) int {
	c := &serviceCmd{
		stdout:       stdout,
		stderr:       stderr,
		newService:   service.New,
		serve:        serveWith,
		exit:         os.Exit,
		packagedUnit: packagedUnit,
	}
	return c.run(args)
}

func (c *serviceCmd) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, serviceUsage)
		return 2
	}
	action, rest := args[0], args[1:]
	var flags *serveFlags
	switch action {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, serviceUsage)
		return 0
	case "install", "run":
		f, code, ok := c.checkServeFlags(action, rest)
		if !ok {
			return code
		}
		flags = f
	case "uninstall", "start", "stop", "restart", "status":
		if len(rest) > 0 {
			fmt.Fprintf(c.stderr, "kiosk service %s: takes no arguments (flags go with install)\n", action)
			return 2
		}
	default:
		fmt.Fprintf(c.stderr, "kiosk service: unknown action %q\n\n%s", action, serviceUsage)
		return 2
	}
	prog := &program{serve: c.serve, flags: flags, exit: c.exit, stopTimeout: serviceStopTimeout}
	s, err := c.newService(prog, serviceConfig(rest))
	if err != nil {
		fmt.Fprintf(c.stderr, "kiosk service: %v\n", err)
		return 1
	}
	prog.stderr = serviceLogOutput(s, c.stderr)
	switch action {
	case "run":
		return c.runAsService(s)
	case "install":
		return c.install(s)
	case "uninstall":
		return c.uninstall(s)
	case "status":
		return c.status(s)
	default:
		return c.control(s, action)
	}
}

// checkServeFlags parses args as `kiosk serve` would, so that a typo fails
// at install time rather than at every start.
func (c *serviceCmd) checkServeFlags(action string, args []string) (f *serveFlags, code int, ok bool) {
	fs, f := newServeFlags(c.stderr)
	fs.Init("kiosk service "+action, flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0, false
		}
		return nil, 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(c.stderr, "kiosk service %s: unexpected argument %q\n", action, fs.Arg(0))
		return nil, 2, false
	}
	if err := f.validate(); err != nil {
		fmt.Fprintf(c.stderr, "kiosk service %s: %v\n", action, err)
		return nil, 2, false
	}
	return f, 0, true
}

func (c *serviceCmd) runAsService(s service.Service) int {
	if err := s.Run(); err != nil {
		fmt.Fprintf(c.stderr, "kiosk service: %v\n", err)
		return 1
	}
	return 0
}

func (c *serviceCmd) install(s service.Service) int {
	if p := c.packagedUnit(); p != "" {
		fmt.Fprintf(c.stderr, "kiosk service install: the kiosk package already installed %s;\n"+
			"set the flags in /etc/default/kiosk, then: systemctl restart kiosk\n", p)
		return 1
	}
	st, err := s.Status()
	if !errors.Is(err, service.ErrNotInstalled) {
		fmt.Fprintf(c.stdout, "kiosk service: already installed (%s); nothing changed.\n"+
			"To change its flags: kiosk service uninstall, then kiosk service install FLAGS.\n", statusWord(st, err))
		return 0
	}
	if err := s.Install(); err != nil {
		// kardianos refuses to overwrite an existing unit ("Init already
		// exists"), e.g. when the service manager cannot tell its state.
		if strings.Contains(err.Error(), "already exists") {
			fmt.Fprintf(c.stdout, "kiosk service: already installed (%v); nothing changed.\n", err)
			return 0
		}
		fmt.Fprintf(c.stderr, "kiosk service install: %v%s\n", err, privilegeHint())
		return 1
	}
	fmt.Fprintf(c.stdout, "kiosk service: installed (%s); start it with: kiosk service start\n", s.Platform())
	return 0
}

func (c *serviceCmd) uninstall(s service.Service) int {
	if p := c.packagedUnit(); p != "" {
		fmt.Fprintf(c.stderr, "kiosk service uninstall: %s belongs to the kiosk package; remove the package instead (apt remove kiosk)\n", p)
		return 1
	}
	if _, err := s.Status(); errors.Is(err, service.ErrNotInstalled) {
		fmt.Fprintln(c.stdout, "kiosk service: not installed; nothing to do.")
		return 0
	}
	if err := s.Uninstall(); err != nil {
		fmt.Fprintf(c.stderr, "kiosk service uninstall: %v%s\n", err, privilegeHint())
		return 1
	}
	fmt.Fprintln(c.stdout, "kiosk service: uninstalled.")
	return 0
}

func (c *serviceCmd) control(s service.Service, action string) int {
	if err := service.Control(s, action); err != nil {
		fmt.Fprintf(c.stderr, "kiosk service %s: %v%s\n", action, err, privilegeHint())
		return 1
	}
	done := map[string]string{"start": "started", "stop": "stopped", "restart": "restarted"}[action]
	fmt.Fprintf(c.stdout, "kiosk service: %s.\n", done)
	return 0
}

// status prints one clear word and returns an LSB-like exit code.
func (c *serviceCmd) status(s service.Service) int {
	st, err := s.Status()
	fmt.Fprintf(c.stdout, "kiosk service: %s\n", statusWord(st, err))
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return 4
	case err != nil:
		return 1
	case st == service.StatusRunning:
		return 0
	case st == service.StatusStopped:
		return 3
	default:
		return 1
	}
}

func statusWord(st service.Status, err error) string {
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return "not installed"
	case err != nil:
		return "unknown (" + err.Error() + ")"
	case st == service.StatusRunning:
		return "running"
	case st == service.StatusStopped:
		return "stopped"
	default:
		return "unknown"
	}
}

// serviceConfig is the unit: `kiosk service run FLAGS`, restarted on failure.
func serviceConfig(serveArgs []string) *service.Config {
	return &service.Config{
		Name:        serviceName,
		DisplayName: "Kiosk",
		Description: "Kiosk terminal service: filtering proxy, sessions, usage counts, admin page.",
		Arguments:   append([]string{"service", "run"}, serveArgs...),
		Dependencies: []string{
			"After=network-online.target",
			"Wants=network-online.target",
		},
		Option: service.KeyValue{
			// systemd
			"Restart":       "always",
			"ReloadSignal":  "HUP",
			"SystemdScript": systemdScript,
			// Windows service recovery: restart 5 s after any failure.
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "5s",
			"OnFailureResetPeriod":   60,
		},
	}
}

// privilegeHint tells a non-root user why a service action failed.
func privilegeHint() string {
	if os.Geteuid() > 0 { // -1 on Windows
		return " (run it as root)"
	}
	return ""
}

// systemdScript is kardianos's unit template with a short RestartSec, the
// journal for logs, and no sysconfig file.
var systemdScript = strings.TrimLeft(`
[Unit]
Description={{Description}}
ConditionFileIsExecutable={{Path | cmdEscape}}
{{range Dependencies}}{{.}}
{{end}}StartLimitIntervalSec=60
StartLimitBurst=10

[Service]
ExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}
{{if ReloadSignal}}ExecReload=/bin/kill -{{ReloadSignal}} "$MAINPID"
{{end}}{{if Restart}}Restart={{Restart}}
{{end}}RestartSec=5

[Install]
WantedBy=multi-user.target
`, "\n")
