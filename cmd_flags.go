package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// flagExit maps a flag parse error to an exit code: 0 for -h, else 2.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// parseFlags parses args into fs for a command that takes flags only. When
// ok is false the command exits with code: 0 after -h, 2 after a bad flag
// or a stray argument (named on stderr).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		return flagExit(err), false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}
