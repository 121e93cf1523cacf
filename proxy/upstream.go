package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// upstream is an institutional proxy the kiosk chains to, for plain
// requests (through the transport's Proxy) and CONNECT (through
// dialConnect).
type upstream struct {
	url  *url.URL
	addr string // host:port of the upstream proxy
	auth string // Proxy-Authorization value, "" without userinfo
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// roots verifies an https:// upstream; nil means the system roots.
	roots *x509.CertPool
}

// newUpstream validates u (http:// or https://, a host, nothing else).
func newUpstream(u *url.URL, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (*upstream, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("upstream proxy %q: scheme must be http or https", u.Redacted())
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("upstream proxy %q: want scheme://host[:port]", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	up := &upstream{url: u, addr: net.JoinHostPort(u.Hostname(), port), dial: dial}
	if u.User != nil {
		pw, _ := u.User.Password()
		up.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw))
	}
	return up, nil
}

// tlsConfig is used towards an https:// upstream (verification on).
func (u *upstream) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: u.roots}
}

// dialProxy is the transport's DialContext with an upstream: the
// transport only ever dials the upstream proxy itself. The upstream's
// address is configured by IT and is not subject to the private check
// (an institutional proxy usually sits on the LAN).
func (u *upstream) dialProxy(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr != u.addr {
		return nil, &dialError{addr, errors.New("with an upstream proxy, only the upstream is dialled")}
	}
	c, err := u.dial(ctx, network, addr)
	if err != nil {
		return nil, &dialError{addr, err}
	}
	return c, nil
}

// dialConnect opens a tunnel to target (host:port) through the upstream:
// TLS to the upstream when it is https://, CONNECT, then the connection
// is handed to goproxy's relay as is.
func (u *upstream) dialConnect(ctx context.Context, target string) (net.Conn, error) {
	c, err := u.dialProxy(ctx, "tcp", u.addr)
	if err != nil {
		return nil, err
	}
	if u.url.Scheme == "https" {
		conf := u.tlsConfig()
		conf.ServerName = u.url.Hostname()
		tc := tls.Client(c, conf)
		hctx, cancel := context.WithTimeout(ctx, dialTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			_ = c.Close()
			return nil, &dialError{u.addr, fmt.Errorf("tls to upstream proxy: %w", err)}
		}
		c = tc
	}
	_ = c.SetDeadline(time.Now().Add(responseHeaderTimeout))
	var b strings.Builder
	b.WriteString("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n")
	if u.auth != "" {
		b.WriteString("Proxy-Authorization: " + u.auth + "\r\n")
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		_ = c.Close()
		return nil, &dialError{u.addr, fmt.Errorf("writing CONNECT to upstream proxy: %w", err)}
	}
	br := bufio.NewReaderSize(c, 1024)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		_ = c.Close()
		return nil, &dialError{u.addr, fmt.Errorf("reading CONNECT answer of upstream proxy: %w", err)}
	}
	// The body is not read: a 200 answer to CONNECT has none, and any other
	// answer closes the connection.
	if resp.StatusCode != http.StatusOK {
		_ = c.Close()
		return nil, &dialError{u.addr, fmt.Errorf("upstream proxy answered CONNECT with %q", resp.Status)}
	}
	_ = c.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		// The target spoke before the client (not TLS): keep those bytes.
		return &bufferedConn{Conn: c, r: br}, nil
	}
	return c, nil
}

// bufferedConn is a connection whose first bytes were already read into r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
