// Package proxy is the kiosk's filtering forward proxy, built on
// github.com/elazarl/goproxy.
//
// It forwards absolute-form plain HTTP requests and tunnels CONNECT (never
// intercepting TLS) to the hosts the allowlist admits, and refuses
// everything else. Each request is judged from its request line only, on
// its own; the dialer refuses private destinations on the address it
// actually dials. docs/proxy.md lists every rule, where it is enforced and
// which test proves it.
package proxy
