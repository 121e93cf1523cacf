package main

import (
	"fmt"
	"io"
)

// runService is owned by the helper building this command; replace this stub.
func runService(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kiosk service: not available in this build")
	return 2
}
