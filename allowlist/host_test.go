package allowlist_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/communes/kiosk/allowlist"
)

func TestCanonicalHost(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	host253 := strings.Repeat(label63+".", 3) + strings.Repeat("b", 61) // 3*64 + 61 = 253
	testCases := []struct {
		name, in, want string // want "" means an error
	}{
		{"canonical", "caf.fr", "caf.fr"},
		{"upper case", "WWW.CAF.Fr", "www.caf.fr"},
		{"one trailing dot", "caf.fr.", "caf.fr"},
		{"upper and dot", "CAF.FR.", "caf.fr"},
		{"underscore and hyphen", "a_b-c.caf.fr", "a_b-c.caf.fr"},
		{"single label", "localhost", "localhost"},
		{"a-label", "xn--caf-dma.fr", "xn--caf-dma.fr"},
		{"label of 63", label63 + ".fr", label63 + ".fr"},
		{"253 chars", host253, host253},
		{"253 chars and dot", host253 + ".", host253},
		{"last label not a number", "1.2.3.0xg", "1.2.3.0xg"},
		{"digits then letters", "1.2.3.4a", "1.2.3.4a"},

		{"dotted quad", "127.0.0.1", "127.0.0.1"},
		{"dotted quad dot", "127.0.0.1.", "127.0.0.1"},
		{"short 2", "127.1", "127.0.0.1"},
		{"short 3", "127.0.1", "127.0.0.1"},
		{"integer", "2130706433", "127.0.0.1"},
		{"integer 192.168.1.1", "3232235777", "192.168.1.1"},
		{"octal", "0177.0.0.1", "127.0.0.1"},
		{"hex", "0x7f.1", "127.0.0.1"},
		{"hex upper", "0X7F.0.0.1", "127.0.0.1"},
		{"hex whole", "0xc0a80101", "192.168.1.1"},
		{"hex empty is 0", "0x.0x.0x.0x", "0.0.0.0"},
		{"leading zero decimal is octal", "010.0.0.1", "8.0.0.1"},
		{"max integer", "4294967295", "255.255.255.255"},
		{"short max", "1.16777215", "1.255.255.255"},

		{"ipv6 brackets", "[::1]", "[::1]"},
		{"ipv6 bare", "::1", "[::1]"},
		{"ipv6 long form", "[0:0:0:0:0:0:0:1]", "[::1]"},
		{"ipv6 upper", "[2001:DB8::1]", "[2001:db8::1]"},
		{"ipv4-mapped", "[::FFFF:127.0.0.1]", "[::ffff:127.0.0.1]"},
		{"ipv4-mapped hex", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]"},
		{"zone", "[fe80::1%eth0]", "[fe80::1%eth0]"},
		{"zone %25", "[fe80::1%25eth0]", "[fe80::1%eth0]"},

		{"empty", "", ""},
		{"only a dot", ".", ""},
		{"two trailing dots", "caf.fr..", ""},
		{"leading dot", ".caf.fr", ""},
		{"empty label", "caf..fr", ""},
		{"percent", "c%61f.fr", ""},
		{"non-ASCII", "café.fr", ""},
		{"userinfo", "user@caf.fr", ""},
		{"space", "caf .fr", ""},
		{"slash", "caf.fr/x", ""},
		{"backslash", `caf.fr\x`, ""},
		{"port", "caf.fr:443", ""},
		{"brackets around a name", "[caf.fr]", ""},
		{"unclosed bracket", "[::1", ""},
		{"bracket inside", "ca[f.fr", ""},
		{"brackets around ipv4", "[127.0.0.1]", ""},
		{"label of 64", strings.Repeat("a", 64) + ".fr", ""},
		{"last label of 64", "fr." + strings.Repeat("a", 64), ""},
		{"254 chars", "a" + host253, ""},
		{"five parts", "1.2.3.4.5", ""},
		{"part over 255", "256.1.1.1", ""},
		{"bad octal", "08.1.1.1", ""},
		{"name then number", "caf.123", ""},
		{"name then hex", "a.0x", ""},
		{"integer too big", "4294967296", ""},
		{"short too big", "1.16777216", ""},
		{"huge number", "99999999999999999999999", ""},
		{"empty zone", "[fe80::1%]", ""},
		{"NUL", "caf.fr\x00", ""},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := allowlist.CanonicalHost(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("CanonicalHost(%q) = %q, want an error", tc.in, got)
				}
				if !errors.Is(err, allowlist.ErrInvalidHost) {
					t.Errorf("CanonicalHost(%q) error %v does not wrap ErrInvalidHost", tc.in, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("CanonicalHost(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			again, err := allowlist.CanonicalHost(got)
			if err != nil || again != got {
				t.Errorf("CanonicalHost(%q) = %q, %v; canonical output must be a fixed point", got, again, err)
			}
		})
	}
}

func TestCanonicalHost_errorMessages(t *testing.T) {
	testCases := []struct{ in, want string }{
		{"c%61f.fr", "percent-encoding"},
		{"café.fr", "non-ASCII"},
		{"user@caf.fr", "userinfo"},
		{"caf..fr", "empty label"},
		{"caf.fr..", "empty label"},
		{"caf.fr:443", "port"},
		{"1.2.3.4.5", "not a valid IPv4 address"},
	}
	for _, tc := range testCases {
		_, err := allowlist.CanonicalHost(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CanonicalHost(%q) error = %v, want it to mention %q", tc.in, err, tc.want)
		}
	}
}

func TestCanonicalHost_allocs(t *testing.T) {
	for _, h := range []string{"www.caf.fr", "caf.fr.", "a.b.c.d.e.f.caf.fr", "192.0.2.1"} {
		n := testing.AllocsPerRun(100, func() {
			if _, err := allowlist.CanonicalHost(h); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("CanonicalHost(%q): %v allocations, want 0", h, n)
		}
	}
}

func TestParseIP(t *testing.T) {
	testCases := []struct {
		in   string
		want string // "" means not an address
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.0.0.1.", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"3232235777", "192.168.1.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7F.0X0.0.01", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"::1", "::1"},
		{"[::1]", "::1"},
		{"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"[::ffff:7f00:1]", "::ffff:127.0.0.1"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"fe80::1%25eth0", "fe80::1%eth0"},
		{"[fe80::1%25eth0]", "fe80::1%eth0"},
		{"64:ff9b::c000:221", "64:ff9b::c000:221"},

		{"", ""},
		{"caf.fr", ""},
		{"1.2.3.4.5", ""},
		{"256.0.0.1", ""},
		{"1.2.3.256", ""},
		{"09.0.0.1", ""},
		{"0xg.1", ""},
		{"1..2", ""},
		{".1.2.3", ""},
		{"[127.0.0.1]", ""},
		{"[::1", ""},
		{"::1]", ""},
		{"fe80::1%", ""},
		{"1.2.3.4:80", ""},
		{":::1", ""},
	}
	for _, tc := range testCases {
		got, ok := allowlist.ParseIP(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("ParseIP(%q) = %v, true; want not an address", tc.in, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(tc.want) {
			t.Errorf("ParseIP(%q) = %v, %v; want %s", tc.in, got, ok, tc.want)
		}
	}
}

func TestIsIPLiteral(t *testing.T) {
	testCases := []struct {
		in   string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.1", true},
		{"0x7f.1", true},
		{"0177.0.0.1", true},
		{"3232235777", true},
		{"[::1]", true},
		{"::1", true},
		{"fe80::1%25eth0", true},
		{"::ffff:127.0.0.1", true},
		// Malformed, but a browser reads them as addresses: never names.
		{"1.2.3.4.5", true},
		{"999.1.1.1", true},
		{"caf.123", true},
		{"caf.0x1f", true},
		{"[caf.fr]", true},

		{"", false},
		{"caf.fr", false},
		{"xn--caf-dma.fr", false},
		{"1.2.3.4a", false},
		{"1.2.3.0xg", false},
		{"123.caf.fr", false},
		{"0x7f.caf.fr", false},
	}
	for _, tc := range testCases {
		if got := allowlist.IsIPLiteral(tc.in); got != tc.want {
			t.Errorf("IsIPLiteral(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
