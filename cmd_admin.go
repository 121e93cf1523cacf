package main

import (
	"fmt"
	"io"
)

// runAdmin is owned by the helper building this command; replace this stub.
func runAdmin(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "kiosk admin: not available in this build")
	return 2
}
