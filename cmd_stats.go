package main

import (
	"fmt"
	"io"
)

// runStats is owned by the helper building this command; replace this stub.
func runStats(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kiosk stats: not available in this build")
	return 2
}
