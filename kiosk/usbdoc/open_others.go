//go:build !linux

package usbdoc

import "os"

// openFlags open a file on the key for reading.
const openFlags = os.O_RDONLY
