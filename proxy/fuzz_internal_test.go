package proxy

import (
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

// FuzzParseTarget checks that whatever the request line, an accepted
// target is canonical and survives a round trip through the authority the
// proxy sends upstream.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{
		"http://www.caf.fr/", "HTTP://WWW.CAF.FR.:8080/x?y", "http://[::ffff:127.0.0.1]/",
		"http://0x7f.1/", "http://a@b/", "http://www.%63af.fr/", "www.caf.fr:443",
		"[2001:db8::1]:443", "a@b:443", "host:443/path", "http://caf.fr../", "http://1.2.3.4.5/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tg, err := parseAbsolute(s); err == nil {
			checkCanonical(t, s, tg)
			again, err := parseAbsolute("http://" + tg.authority(httpPort) + "/")
			if err != nil || again.host != tg.host || again.ip != tg.ip || (again.port != tg.port && !(tg.port == httpPort && again.port == 0)) {
				t.Fatalf("parseAbsolute(%q) = %+v, but its authority reparses to %+v, %v", s, tg, again, err)
			}
		}
		if tg, err := parseConnect(s); err == nil {
			checkCanonical(t, s, tg)
			if tg.port == 0 || strings.ContainsAny(s, "/?#@") {
				t.Fatalf("parseConnect(%q) accepted %+v", s, tg)
			}
			again, err := parseConnect(tg.dialAddr(connectPort))
			if err != nil || again != tg {
				t.Fatalf("parseConnect(%q) = %+v, but its dial address reparses to %+v, %v", s, tg, again, err)
			}
		}
	})
}

func checkCanonical(t *testing.T, in string, tg target) {
	t.Helper()
	if tg.host == "" {
		t.Fatalf("%q: empty host accepted", in)
	}
	if tg.ip {
		if !tg.addr.IsValid() || tg.addr.String() != tg.host || tg.addr.Zone() != "" || tg.addr.Is4In6() {
			t.Fatalf("%q: IP target %+v is not canonical", in, tg)
		}
		return
	}
	if c, err := allowlist.CanonicalHost(tg.host); err != nil || c != tg.host || allowlist.IsIPLiteral(tg.host) {
		t.Fatalf("%q: host %q is not a canonical name (%q, %v)", in, tg.host, c, err)
	}
}
