package proxy_test

import (
	"errors"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestProxy_PrivateDestinations makes an allowed name resolve to private
// addresses (design.md §3 rule 8): the proxy must refuse, for plain HTTP
// and CONNECT, without ever asking the Dial seam to dial them.
func TestProxy_PrivateDestinations(t *testing.T) {
	testCases := []struct {
		name  string
		addrs []string
	}{
		{"loopback", []string{"127.0.0.1"}},
		{"loopback elsewhere in 127/8", []string{"127.45.6.7"}},
		{"IPv6 loopback", []string{"::1"}},
		{"unspecified", []string{"0.0.0.0"}},
		{"this network", []string{"0.1.2.3"}},
		{"IPv6 unspecified", []string{"::"}},
		{"RFC 1918 10/8", []string{"10.0.0.1"}},
		{"RFC 1918 172.16/12", []string{"172.31.255.254"}},
		{"RFC 1918 192.168/16", []string{"192.168.1.1"}},
		{"link-local", []string{"169.254.169.254"}},
		{"IPv6 link-local", []string{"fe80::1"}},
		{"CGNAT", []string{"100.64.0.1"}},
		{"ULA", []string{"fd00::1"}},
		{"multicast", []string{"224.0.0.1"}},
		{"IPv6 multicast", []string{"ff02::1"}},
		{"reserved 240/4", []string{"240.0.0.1"}},
		{"broadcast", []string{"255.255.255.255"}},
		{"IPv4-mapped loopback", []string{"::ffff:127.0.0.1"}},
		{"IPv4-mapped RFC 1918", []string{"::ffff:10.0.0.1"}},
		{"IPv4-compatible loopback", []string{"::127.0.0.1"}},
		{"NAT64 loopback", []string{"64:ff9b::7f00:1"}},
		{"NAT64 metadata", []string{"64:ff9b::a9fe:a9fe"}},
		{"local-use NAT64", []string{"64:ff9b:1::a00:1"}},
		{"6to4 of loopback", []string{"2002:7f00:1::1"}},
		{"6to4 of 192.168", []string{"2002:c0a8:101::1"}},
		{"Teredo client 10.0.0.1", []string{"2001:0:4136:e378:8000:63bf:f5ff:fffe"}},
		{"Teredo server 127.0.0.1", []string{"2001:0:7f00:1::1"}},
		{"all private", []string{"10.0.0.1", "127.0.0.1", "fd00::1"}},
	}
	e := newEnv(t, nil)
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			e.net.setName("rebind.example.net", tc.addrs...)
			before := len(e.net.dials())
			status, body, _ := e.get(t, "http://rebind.example.net/", nil)
			if status != http.StatusForbidden {
				t.Fatalf("GET to a name resolving to %v = %d %q, want 403", tc.addrs, status, body)
			}
			rs := e.raw(t, "CONNECT rebind.example.net:443 HTTP/1.1\r\nHost: rebind.example.net:443\r\n\r\n", 1)
			if statusOf(rs) != http.StatusForbidden {
				t.Fatalf("CONNECT to a name resolving to %v = %d, want 403", tc.addrs, statusOf(rs))
			}
			if d := e.net.dials()[before:]; len(d) != 0 {
				t.Fatalf("the proxy dialled %q, want nothing", d)
			}
		})
	}
}

// TestProxy_PrivateMixedAnswer gives a loopback address first, then a
// public one: the public one is dialled (the Dial seam maps it to the
// loopback origin), never the loopback one.
func TestProxy_PrivateMixedAnswer(t *testing.T) {
	e := newEnv(t, nil)
	e.net.setName("rebind.example.net", "127.0.0.1", "::1", "10.0.0.1", publicAddr)
	status, body, _ := e.get(t, "http://rebind.example.net/mixed", nil)
	if status != http.StatusOK || body != "hello from rebind.example.net /mixed" {
		t.Fatalf("GET = %d %q, want 200 from the origin", status, body)
	}
	c := e.client()
	defer c.CloseIdleConnections()
	resp, err := c.Get("https://www.caf.fr/") // warm the seam for CONNECT too
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{publicAddr + ":80", publicAddr + ":443"}
	if got := e.net.dials(); !slices.Equal(got, want) {
		t.Fatalf("dialled %q, want %q", got, want)
	}
}

// TestProxy_Rebinding resolves an allowed name to a public address first
// and to loopback on the next lookup: the second request must be refused,
// because the check is made on the address actually dialled.
func TestProxy_Rebinding(t *testing.T) {
	e := newEnv(t, nil)
	e.net.setName("rebind.example.net", publicAddr)
	c := e.client()
	c.Transport.(*http.Transport).DisableKeepAlives = true
	resp, err := c.Get("http://rebind.example.net/first")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first GET: %v %v", resp, err)
	}
	resp.Body.Close()
	e.proxy.Close() // drop the pooled upstream connection
	e.net.setName("rebind.example.net", "127.0.0.1")
	resp, err = c.Get("http://rebind.example.net/second")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("after rebinding to loopback = %d, want 403", resp.StatusCode)
	}
	if got := e.net.dials(); len(got) != 1 {
		t.Fatalf("dialled %q, want only the public address once", got)
	}
}

func TestProxy_UpstreamErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.net.dialErr[publicAddr+":80"] = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	e.net.dialErr[publicAddr+":443"] = &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	testCases := []struct {
		name, url string
		want      int
	}{
		{"connection refused", "http://www.caf.fr/", http.StatusBadGateway},
		{"unknown name", "http://nx.caf.fr/", http.StatusBadGateway},
		{"timeout", "http://www.caf.fr:8080/", http.StatusGatewayTimeout},
	}
	e.net.dialErr[publicAddr+":8080"] = &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	// www.caf.fr:8080 is not allowed; use the port pattern's host instead.
	testCases[2].url = "http://ports.example.org:8080/"
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := e.get(t, tc.url, nil)
			if status != tc.want {
				t.Fatalf("GET %s = %d %q, want %d", tc.url, status, body, tc.want)
			}
			if strings.Contains(body, "connection refused") || strings.Contains(body, "203.0.113") {
				t.Errorf("error page leaks the internal error: %q", body)
			}
		})
	}
	for target, want := range map[string]int{"www.caf.fr:443": 504, "nx.caf.fr:443": 502} {
		rs := e.raw(t, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n", 1)
		if statusOf(rs) != want {
			t.Errorf("CONNECT %s = %d, want %d", target, statusOf(rs), want)
		}
	}
}
