//go:build !linux

package proxy

import "net"

// spliceCopy exists on Linux only; elsewhere pipe uses io.Copy.
func spliceCopy(net.Conn, net.Conn) (int64, bool, error) { return 0, false, nil }
