package main

import (
	"fmt"
	"io"
)

// runAgent is owned by the helper building this command; replace this stub.
func runAgent(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kiosk agent: not available in this build")
	return 2
}
