package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/communes/kiosk/agent"
)

// agentUsage is the help of `kiosk agent`.
const agentUsage = `usage: kiosk agent COMMAND [NAME] [--data DIR]

  add NAME --role agent|admin   create an account: asks for the PIN (and, for
                                an admin, the admin page password) twice
  remove NAME                   delete an account
  list                          list the accounts (name, role, created, password)
  reset-pin NAME                give an account a new PIN
  passwd NAME                   set an account's admin page password

Secrets are asked on the terminal without echo, or read one per line from a
non-terminal standard input (PIN, PIN again[, password, password again]).
Accounts live in DIR/agents.json; the running service sees changes at once.`

// runAgent is `kiosk agent`: it manages the agent accounts in the data
// directory's agents.json. It works while the service runs (the file is
// locked for each change and re-read by the service).
func runAgent(args []string, stdout, stderr io.Writer) int {
	return agentMain(args, os.Stdin, stdout, stderr)
}

func agentMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, agentUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, wantName := args[0], map[string]bool{"add": true, "remove": true, "reset-pin": true, "passwd": true, "list": false}
	needName, ok := wantName[sub]
	if !ok {
		fmt.Fprintf(stderr, "kiosk agent: unknown command %q\n\n%s\n", sub, agentUsage)
		return 2
	}
	fs := flag.NewFlagSet("kiosk agent "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir, "data `DIR` of the service (holds "+agent.FileName+")")
	role := "agent"
	if sub == "add" {
		fs.StringVar(&role, "role", "", "`ROLE` of the account: agent or admin (required)")
	}
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return flagExit(err)
	}
	switch {
	case needName && len(pos) != 1:
		fmt.Fprintf(stderr, "kiosk agent %s: want one NAME (quote a name with spaces)\n", sub)
		return 2
	case !needName && len(pos) != 0:
		fmt.Fprintf(stderr, "kiosk agent %s: unexpected argument %q\n", sub, pos[0])
		return 2
	}
	if fi, err := os.Stat(*data); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "kiosk agent %s: data directory %s not found (use --data DIR)\n", sub, *data)
		return 1
	}
	st, err := agent.Open(filepath.Join(*data, agent.FileName))
	if err == nil {
		in := newSecretReader(stdin, stderr)
		switch sub {
		case "add":
			err = agentAdd(st, in, pos[0], role, stdout)
		case "remove":
			if err = st.Remove(pos[0]); err == nil {
				fmt.Fprintf(stdout, "Agent %q supprimé (removed).\n", pos[0])
			}
		case "list":
			err = agentList(st, stdout)
		case "reset-pin":
			err = agentResetPIN(st, in, pos[0], stdout)
		case "passwd":
			err = agentPasswd(st, in, pos[0], stdout)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk agent %s: %v\n", sub, frenchError(err))
		return 1
	}
	return 0
}

// parseInterleaved parses flags placed before or after the positional
// arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func agentAdd(st *agent.Store, in *secretReader, name, roleName string, stdout io.Writer) error {
	role, err := agent.ParseRole(roleName)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	if _, err := st.Get(name); err == nil {
		return fmt.Errorf("%q: %w", name, agent.ErrExists)
	}
	pin, err := in.twice(fmt.Sprintf("Code PIN de %s (%d à %d chiffres) : ", name, agent.MinPINLength, agent.MaxPINLength), "PIN")
	if err != nil {
		return err
	}
	if err := agent.CheckPINPolicy(pin); err != nil {
		return err
	}
	var pw string
	if role == agent.RoleAdmin {
		if pw, err = in.twice(fmt.Sprintf("Mot de passe de la page d’administration (au moins %d caractères) : ", agent.MinPasswordLength), "password"); err != nil {
			return err
		}
	}
	a, err := st.Add(name, role, pin, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Agent %q créé, rôle %s (added).\n", a.Name, a.Role)
	return nil
}

func agentList(st *agent.Store, stdout io.Writer) error {
	as, err := st.List()
	if err != nil {
		return err
	}
	if len(as) == 0 {
		fmt.Fprintln(stdout, "Aucun agent (no agent). Ajoutez-en un : kiosk agent add NOM --role agent")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tPASSWORD")
	for _, a := range as {
		pw := "no"
		if a.HasPassword {
			pw = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Role, a.Created.Local().Format("2006-01-02 15:04"), pw)
	}
	return tw.Flush()
}

func agentResetPIN(st *agent.Store, in *secretReader, name string, stdout io.Writer) error {
	if _, err := st.Get(name); err != nil {
		return err
	}
	pin, err := in.twice(fmt.Sprintf("Nouveau code PIN de %s (%d à %d chiffres) : ", name, agent.MinPINLength, agent.MaxPINLength), "PIN")
	if err != nil {
		return err
	}
	if err := st.ResetPIN(name, pin); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Code PIN de %q changé (PIN reset).\n", name)
	return nil
}

func agentPasswd(st *agent.Store, in *secretReader, name string, stdout io.Writer) error {
	if _, err := st.Get(name); err != nil {
		return err
	}
	pw, err := in.twice(fmt.Sprintf("Nouveau mot de passe de %s (au moins %d caractères) : ", name, agent.MinPasswordLength), "password")
	if err != nil {
		return err
	}
	if err := st.SetPassword(name, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Mot de passe de %q enregistré (password set).\n", name)
	return nil
}

// frenchError puts the French explanation before an agent error.
func frenchError(err error) error {
	var fr string
	switch {
	case errors.Is(err, agent.ErrExists):
		fr = "ce nom est déjà pris"
	case errors.Is(err, agent.ErrNotFound):
		fr = "agent inconnu"
	case errors.Is(err, agent.ErrPINInUse):
		fr = "ce code PIN est déjà celui d’un autre agent, choisissez-en un autre"
	case errors.Is(err, agent.ErrInvalid):
		fr = "valeur refusée"
	case errors.Is(err, agent.ErrBadFile):
		fr = "fichier des agents illisible, il n’a pas été modifié"
	default:
		return err
	}
	return fmt.Errorf("%s (%w)", fr, err)
}

// secretReader reads secrets: without echo on a terminal, else one per
// line.
type secretReader struct {
	tty    *os.File
	lines  *bufio.Scanner
	stderr io.Writer
}

func newSecretReader(stdin io.Reader, stderr io.Writer) *secretReader {
	r := &secretReader{stderr: stderr}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.tty = f
	} else {
		r.lines = bufio.NewScanner(stdin)
	}
	return r
}

// read returns one secret.
func (r *secretReader) read(prompt, what string) (string, error) {
	if r.tty != nil {
		fmt.Fprint(r.stderr, prompt)
		b, err := term.ReadPassword(int(r.tty.Fd()))
		fmt.Fprintln(r.stderr)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", what, err)
		}
		return string(b), nil
	}
	if !r.lines.Scan() {
		return "", fmt.Errorf("reading %s: missing line on standard input (each secret twice, one per line)", what)
	}
	return strings.TrimRight(r.lines.Text(), "\r"), nil
}

// twice reads a secret and its confirmation.
func (r *secretReader) twice(prompt, what string) (string, error) {
	a, err := r.read(prompt, what)
	if err != nil {
		return "", err
	}
	b, err := r.read("Confirmez : ", what)
	if err != nil {
		return "", err
	}
	if a != b {
		return "", fmt.Errorf("les deux saisies diffèrent (%s entries differ)", what)
	}
	return a, nil
}
