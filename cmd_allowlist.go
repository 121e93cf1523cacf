package main

import (
	"fmt"
	"io"
)

// runAllowlist is owned by the helper building this command; replace this stub.
func runAllowlist(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kiosk allowlist: not available in this build")
	return 2
}
