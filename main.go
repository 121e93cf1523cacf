// Command kiosk turns a PC into a locked-down public terminal for online
// administrative procedures.
//
// One binary, several roles:
//
//	kiosk serve       the system service: filtering proxy, sessions, usage store, admin page
//	kiosk shell       the fullscreen browser, run in the kiosk user's graphical session
//	kiosk service     install|uninstall|start|stop|restart|status through the OS service manager
//	kiosk allowlist   check FILE | test FILE URL...
//	kiosk stats       usage counts from the running service
//	kiosk report      one usage report for several terminals, read over HTTPS
//	kiosk admin       passwd: set the admin page password
//	kiosk agent       add|remove|list|reset-pin
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand: it gets its arguments (without its own name)
// and returns the process exit code.
type command struct {
	run     func(args []string, stdout, stderr io.Writer) int
	summary string
}

var commands = map[string]command{
	"serve":     {runServe, "run the service (proxy, sessions, usage store, admin page)"},
	"shell":     {runShell, "run the fullscreen kiosk browser"},
	"service":   {runService, "install|uninstall|start|stop|restart|status the system service"},
	"allowlist": {runAllowlist, "check FILE | test FILE URL... | sign | keygen: validate, try, sign the allowlist"},
	"stats":     {runStats, "print usage counts from the running service"},
	"status":    {runStatus, "print the state of the security updates (last run, waiting, pending reboot, WebKitGTK)"},
	"report":    {runReport, "one usage report for several terminals (HTML or CSV), read over HTTPS"},
	"admin":     {runAdmin, "passwd: set the admin page password"},
	"agent":     {runAgent, "add|remove|list|reset-pin|passwd: manage agent accounts"},
}

var commandOrder = []string{"serve", "shell", "service", "allowlist", "stats", "status", "report", "admin", "agent"}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(stdout, "kiosk", version)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kiosk: unknown command %q\n", args[0])
		printUsage(stderr)
		return 2
	}
	return cmd.run(args[1:], stdout, stderr)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: kiosk COMMAND [flags]\n\ncommands:")
	for _, name := range commandOrder {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'kiosk COMMAND --help' for the flags of a command.")
}
