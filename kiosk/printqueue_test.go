package kiosk

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLpstat(t *testing.T) {
	out := "kiosk-accueil-12  kiosk-session  1024   Thu 26 Nov 2026 03:42:29 UTC\n" +
		"kiosk-accueil-13  kiosk-session  2048   Thu 26 Nov 2026 03:42:30 UTC\n" +
		"kiosk-12  root  1  date\n" + // another queue whose name is a prefix
		"kiosk-accueil-x  root  1  date\n" +
		"\n   \n"
	got := parseLpstat([]byte(out), "kiosk-accueil")
	want := []string{"kiosk-accueil-12", "kiosk-accueil-13"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseLpstat = %q, want %q", got, want)
	}
	if got := parseLpstat(nil, "q"); got != nil {
		t.Errorf("parseLpstat(empty) = %q", got)
	}
}

func TestCheckPrinter(t *testing.T) {
	for _, ok := range []string{"", "accueil", "HP_LaserJet-2", "imprimante.rdc"} {
		if err := CheckPrinter(ok, time.Minute); err != nil {
			t.Errorf("CheckPrinter(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"a b", "a/b", "a#b", "-x", `a"b`, "a\tb", strings.Repeat("a", 128)} {
		if err := CheckPrinter(bad, time.Minute); err == nil {
			t.Errorf("CheckPrinter(%q) accepted", bad)
		}
	}
	if err := CheckPrinter("accueil", 0); err == nil {
		t.Error("CheckPrinter with a zero grace accepted")
	}
}
