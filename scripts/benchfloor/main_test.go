package main

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// benchfloor must never reach beyond the machine: it dials only addresses of
// a loopback interface, and relays CONNECT tunnels and plain connections.
func TestDialLoopback(t *testing.T) {
	local, err := loopbackAddrs()
	if err != nil {
		t.Fatal(err)
	}
	if !local[netip.MustParseAddr("127.0.0.1")] {
		t.Fatalf("loopback addresses %v lack 127.0.0.1", local)
	}
	for _, target := range []string{"192.0.2.1:80", "10.0.0.1:443", "[2001:db8::1]:80"} {
		if c, err := dialLoopback(target, local); err == nil {
			c.Close()
			t.Errorf("dialLoopback(%s) succeeded: it must refuse addresses outside loopback", target)
		}
	}
}

func TestServe_ConnectAndPlain(t *testing.T) {
	origin, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer origin.Close()
	go func() { // echoes each connection's first line, then closes
		for {
			c, err := origin.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			_, _ = io.WriteString(c, "echo "+line)
			c.Close()
		}
	}()
	local, err := loopbackAddrs()
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	go func() {
		for {
			c, err := proxy.Accept()
			if err != nil {
				return
			}
			go serve(c.(*net.TCPConn), local)
		}
	}()
	exchange := func(send string) string {
		c, err := net.Dial("tcp", proxy.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(c)
		return string(out)
	}
	addr := origin.Addr().String()
	got := exchange("CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\nhello\n")
	if got != "HTTP/1.1 200 Connection established\r\n\r\necho hello\n" {
		t.Errorf("through CONNECT: %q", got)
	}
	got = exchange("GET http://" + addr + "/x HTTP/1.1\r\n\r\n")
	if !strings.HasPrefix(got, "echo GET http://"+addr+"/x HTTP/1.1") {
		t.Errorf("plain: %q", got)
	}
}
