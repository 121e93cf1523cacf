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

	"golang.org/x/term"

	"github.com/communes/kiosk/admin"
)

// runAdmin is `kiosk admin passwd [--data DIR]`: it sets the admin page
// password, asked twice on the terminal (without echo) or read as two lines
// from a non-terminal standard input. It works while the service runs: the
// password lives in DIR/credentials.json, not in the locked usage store, and
// the service re-reads that file when it changes.
func runAdmin(args []string, stdout, stderr io.Writer) int {
	return adminMain(args, os.Stdin, stdout, stderr)
}

func adminMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "passwd" {
		fmt.Fprintln(stderr, "usage: kiosk admin passwd [--data DIR]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("kiosk admin passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir, "data `DIR` of the service (holds "+admin.CredentialsFileName+")")
	if code, ok := parseFlags(fs, args[1:], stderr); !ok {
		return code
	}
	if fi, err := os.Stat(*data); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "kiosk admin passwd: data directory %s not found (use --data DIR)\n", *data)
		return 1
	}
	pw, err := readNewPassword(stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk admin passwd: %v\n", err)
		return 1
	}
	path := filepath.Join(*data, admin.CredentialsFileName)
	if err := admin.SetPassword(path, pw); err != nil {
		fmt.Fprintf(stderr, "kiosk admin passwd: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Mot de passe administrateur enregistré dans %s (admin password saved).\n", path)
	return 0
}

// readNewPassword asks for the password twice. On a terminal the input is
// not echoed; otherwise two lines are read.
func readNewPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	var first, second string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			return string(b), err
		}
		var err error
		if first, err = ask(fmt.Sprintf("Nouveau mot de passe (au moins %d caractères) : ", admin.MinPasswordLength)); err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		if second, err = ask("Confirmez le mot de passe : "); err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
	} else {
		sc := bufio.NewScanner(stdin)
		for _, p := range []*string{&first, &second} {
			if !sc.Scan() {
				return "", errors.New("reading password: expected two lines on standard input (password, then again)")
			}
			*p = strings.TrimRight(sc.Text(), "\r")
		}
	}
	if first != second {
		return "", errors.New("les deux mots de passe ne sont pas identiques (passwords differ)")
	}
	return first, nil
}
