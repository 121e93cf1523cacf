// Command benchfloor is a measuring stick for the reference harness, not a proxy
// to deploy: it filters nothing. It does the least an HTTP forward proxy on
// loopback can do, so that a harness run with it as the candidate shows what
// any user-space relay costs on the machine, next to the direct path:
//
//   - CONNECT host:port: reads the request head, dials the target, answers
//     "200 Connection established" and relays both ways;
//   - anything else: dials the host named by the first request line
//     (absolute form, port 80 by default) and relays the whole connection,
//     later requests included, without parsing them.
//
// Relaying is io.Copy between *net.TCPConn, which Go does with splice(2) on
// Linux. It only dials addresses configured on a loopback interface (in the
// harness's namespace, the origin's test address sits on lo), so it cannot
// reach anything outside the machine.
//
// Usage (as the harness's candidate):
//
//	go build -o bin/benchfloor ./scripts/benchfloor
//	../shared/bench/run.sh --candidate-name floor --candidate "$PWD/bin/benchfloor -listen 127.0.0.1:{PORT}"
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:13998", "address to listen on")
	procs := flag.Int("procs", 1, "GOMAXPROCS (0 leaves Go's default)")
	flag.Parse()
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	local, err := loopbackAddrs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfloor:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfloor:", err)
		os.Exit(1)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchfloor:", err)
			os.Exit(1)
		}
		go serve(c.(*net.TCPConn), local)
	}
}

// serve reads the first request head and relays the connection.
func serve(c *net.TCPConn, local map[netip.Addr]bool) {
	defer c.Close()
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		return
	}
	connect := f[0] == "CONNECT"
	target := f[1]
	if connect {
		for { // the rest of the CONNECT head
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" || l == "\n" {
				break
			}
		}
	} else {
		u, err := url.Parse(target)
		if err != nil || u.Host == "" {
			return
		}
		target = u.Host
		if u.Port() == "" {
			target = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	u, err := dialLoopback(target, local)
	if err != nil {
		slog.Warn("dial", "target", target, "err", err)
		return
	}
	defer u.Close()
	if connect {
		if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return
		}
	} else if _, err := io.WriteString(u, line); err != nil {
		return
	}
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		if _, err := u.Write(b); err != nil {
			return
		}
	}
	done := make(chan struct{})
	go func() {
		io.Copy(u, c)
		u.CloseWrite()
		close(done)
	}()
	io.Copy(c, u)
	c.CloseWrite()
	<-done
}

// dialLoopback dials host:port if host resolves to one of the loopback
// interfaces' addresses (read once at start), and refuses anything else.
func dialLoopback(hostport string, local map[netip.Addr]bool) (*net.TCPConn, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, err
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if local[ip.Unmap()] {
			c, err := net.Dial("tcp", net.JoinHostPort(ip.Unmap().String(), port))
			if err != nil {
				return nil, err
			}
			return c.(*net.TCPConn), nil
		}
	}
	return nil, errors.New(host + " is not on a loopback interface")
}

// loopbackAddrs lists the addresses of the machine's loopback interfaces.
func loopbackAddrs() (map[netip.Addr]bool, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	m := map[netip.Addr]bool{}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				m[p.Addr().Unmap()] = true
			}
		}
	}
	return m, nil
}
