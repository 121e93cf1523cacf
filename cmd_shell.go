package main

import (
	"fmt"
	"io"
)

// runShell is owned by the helper building this command; replace this stub.
func runShell(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kiosk shell: not available in this build")
	return 2
}
