package proxy

import (
	"net/netip"
	"testing"
)

func TestParseAbsolute(t *testing.T) {
	testCases := []struct {
		uri, host string
		port      int
		ip        bool
		ok        bool
	}{
		{"http://www.caf.fr/", "www.caf.fr", 0, false, true},
		{"http://www.caf.fr", "www.caf.fr", 0, false, true},
		{"http://www.caf.fr?q", "www.caf.fr", 0, false, true},
		{"HTTP://WWW.CAF.FR./x", "www.caf.fr", 0, false, true},
		{"http://www.caf.fr:80/", "www.caf.fr", 80, false, true},
		{"http://www.caf.fr:8080/", "www.caf.fr", 8080, false, true},
		{"http://www.caf.fr:65535/", "www.caf.fr", 65535, false, true},
		{"http://xn--caf-dma.fr/", "xn--caf-dma.fr", 0, false, true},
		{"http://under_score.caf.fr/", "under_score.caf.fr", 0, false, true},
		{"http://127.0.0.1/", "127.0.0.1", 0, true, true},
		{"http://2130706433/", "127.0.0.1", 0, true, true},
		{"http://0x7f000001/", "127.0.0.1", 0, true, true},
		{"http://0177.0.0.1/", "127.0.0.1", 0, true, true},
		{"http://127.1/", "127.0.0.1", 0, true, true},
		{"http://0x7F.1./", "127.0.0.1", 0, true, true},
		{"http://[::1]/", "::1", 0, true, true},
		{"http://[::1]:8080/", "::1", 8080, true, true},
		{"http://[::ffff:127.0.0.1]/", "127.0.0.1", 0, true, true},
		{"http://[2001:DB8::50]/", "2001:db8::50", 0, true, true},
		// Refused.
		{"/", "", 0, false, false},
		{"*", "", 0, false, false},
		{"www.caf.fr/", "", 0, false, false},
		{"https://www.caf.fr/", "", 0, false, false},
		{"ws://www.caf.fr/", "", 0, false, false},
		{"http:/www.caf.fr/", "", 0, false, false},
		{"http:www.caf.fr", "", 0, false, false},
		{"http://", "", 0, false, false},
		{"http:///x", "", 0, false, false},
		{"http://u@www.caf.fr/", "", 0, false, false},
		{"http://u:p@www.caf.fr/", "", 0, false, false},
		{"http://www.caf.fr@evil.example/", "", 0, false, false},
		{"http://www.%63af.fr/", "", 0, false, false},
		{"http://www.c%C3%A4f.fr/", "", 0, false, false},
		{"http://www.cäf.fr/", "", 0, false, false},
		{"http://www..caf.fr/", "", 0, false, false},
		{"http://.caf.fr/", "", 0, false, false},
		{"http://caf.fr../", "", 0, false, false},
		{"http://.", "", 0, false, false},
		{"http://www.caf.fr:/", "", 0, false, false},
		{"http://www.caf.fr:0/", "", 0, false, false},
		{"http://www.caf.fr:080/", "", 0, false, false},
		{"http://www.caf.fr:+80/", "", 0, false, false},
		{"http://www.caf.fr:65536/", "", 0, false, false},
		{"http://www.caf.fr:123456/", "", 0, false, false},
		{"http://www.caf.fr:8o/", "", 0, false, false},
		{"http://www.caf.fr:80:80/", "", 0, false, false},
		{"http://www.caf.fr#frag", "", 0, false, false},
		{"http://::1/", "", 0, false, false},
		{"http://[::1/", "", 0, false, false},
		{"http://[::1]x/", "", 0, false, false},
		{"http://[127.0.0.1]/", "", 0, false, false},
		{"http://[fe80::1%25eth0]/", "", 0, false, false},
		{"http://[fe80::1%eth0]/", "", 0, false, false},
		{"http://1.2.3.4.5/", "", 0, false, false},
		{"http://256.1.1.1/", "", 0, false, false},
		{"http://www.caf.123/", "", 0, false, false},
		{"http://www.caf.0x1/", "", 0, false, false},
		{"http://www caf.fr/", "", 0, false, false},
		{"http://www.caf.fr\\x/", "", 0, false, false},
		{"http://" + string(make([]byte, 64)) + ".fr/", "", 0, false, false},
	}
	for _, tc := range testCases {
		got, err := parseAbsolute(tc.uri)
		if (err == nil) != tc.ok {
			t.Errorf("parseAbsolute(%q) error = %v, want ok=%v", tc.uri, err, tc.ok)
			continue
		}
		if tc.ok && (got.host != tc.host || got.port != tc.port || got.ip != tc.ip) {
			t.Errorf("parseAbsolute(%q) = %+v, want host %q port %d ip %v", tc.uri, got, tc.host, tc.port, tc.ip)
		}
	}
}

func TestParseConnect(t *testing.T) {
	testCases := []struct {
		uri, host string
		port      int
		ok        bool
	}{
		{"www.caf.fr:443", "www.caf.fr", 443, true},
		{"WWW.CAF.FR.:443", "www.caf.fr", 443, true},
		{"[2001:db8::1]:443", "2001:db8::1", 443, true},
		{"203.0.113.5:8443", "203.0.113.5", 8443, true},
		{"www.caf.fr", "", 0, false},
		{"www.caf.fr:", "", 0, false},
		{"www.caf.fr:0443", "", 0, false},
		{"www.caf.fr:443/path", "", 0, false},
		{"www.caf.fr:443?q", "", 0, false},
		{"a@www.caf.fr:443", "", 0, false},
		{"http://www.caf.fr:443", "", 0, false},
		{"www..caf.fr:443", "", 0, false},
		{"www.%63af.fr:443", "", 0, false},
		{"::1:443", "", 0, false},
		{"[::1]", "", 0, false},
		{":443", "", 0, false},
		{"/", "", 0, false},
		{"", "", 0, false},
	}
	for _, tc := range testCases {
		got, err := parseConnect(tc.uri)
		if (err == nil) != tc.ok {
			t.Errorf("parseConnect(%q) error = %v, want ok=%v", tc.uri, err, tc.ok)
			continue
		}
		if tc.ok && (got.host != tc.host || got.port != tc.port) {
			t.Errorf("parseConnect(%q) = %+v, want %s %d", tc.uri, got, tc.host, tc.port)
		}
	}
}

func TestTarget_Authority(t *testing.T) {
	testCases := []struct {
		uri, authority, dial string
	}{
		{"http://www.caf.fr/", "www.caf.fr", "www.caf.fr:80"},
		{"http://www.caf.fr:80/", "www.caf.fr", "www.caf.fr:80"},
		{"http://www.caf.fr:8080/", "www.caf.fr:8080", "www.caf.fr:8080"},
		{"http://[2001:db8::1]/", "[2001:db8::1]", "[2001:db8::1]:80"},
		{"http://0xcb.0.113.5/", "203.0.113.5", "203.0.113.5:80"},
	}
	for _, tc := range testCases {
		tg, err := parseAbsolute(tc.uri)
		if err != nil {
			t.Fatal(err)
		}
		if a := tg.authority(httpPort); a != tc.authority {
			t.Errorf("authority(%q) = %q, want %q", tc.uri, a, tc.authority)
		}
		if d := tg.dialAddr(httpPort); d != tc.dial {
			t.Errorf("dialAddr(%q) = %q, want %q", tc.uri, d, tc.dial)
		}
	}
}

func TestIsPrivate(t *testing.T) {
	testCases := []struct {
		addr    string
		private bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.255", true},
		{"0.0.0.0", true},
		{"10.20.30.40", true},
		{"172.16.0.1", true},
		{"172.32.0.1", false},
		{"192.168.0.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"100.128.0.1", false},
		{"224.0.0.251", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"192.0.0.170", true},
		{"198.18.0.1", true},
		{"::", true},
		{"::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fc00::1", true},
		{"fdff::1", true},
		{"ff02::fb", true},
		{"fec0::1", true},
		{"100::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:203.0.113.10", false},
		{"::127.0.0.1", true},
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::a00:1", true},
		{"64:ff9b::cb00:710a", false},
		{"64:ff9b:1::cb00:710a", true},
		{"2002:7f00:1::", true},
		{"2002:a9fe:a9fe::1", true},
		{"2002:cb00:710a::1", false},
		{"2001:0:7f00:1::1", true},
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", true},
		{"2001:0:4136:e378:8000:63bf:3464:f5f5", false},
		// Documentation ranges count as public.
		{"192.0.2.1", false},
		{"198.51.100.10", false},
		{"203.0.113.10", false},
		{"2001:db8::1", false},
		// Public.
		{"8.8.8.8", false},
		{"2a01:e0a::1", false},
	}
	for _, tc := range testCases {
		if got := isPrivate(netip.MustParseAddr(tc.addr)); got != tc.private {
			t.Errorf("isPrivate(%s) = %v, want %v", tc.addr, got, tc.private)
		}
	}
	if !isPrivate(netip.Addr{}) {
		t.Error("isPrivate(invalid) = false, want true")
	}
}

func TestFromHost(t *testing.T) {
	testCases := []struct{ in, want string }{
		{"https://www.caf.fr/mon-compte?token=secret", "www.caf.fr"},
		{"https://WWW.CAF.FR:8443/x", "www.caf.fr"},
		{"https://user:pw@www.caf.fr/", "www.caf.fr"},
		{"https://www.caf.fr.", "www.caf.fr"},
		{"http://[2001:db8::1]:80/", "2001:db8::1"},
		{"null", ""},
		{"", ""},
		{"/relative", ""},
		{"https://bad host/", ""},
		{"https://a%2fb/", ""},
	}
	for _, tc := range testCases {
		if got := fromHost(tc.in); got != tc.want {
			t.Errorf("fromHost(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
