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

func TestCheckDevices(t *testing.T) {
	for _, ok := range []string{"", "accueil", "HP_LaserJet-2", "imprimante.rdc"} {
		if err := CheckDevices(ok, time.Minute, ""); err != nil {
			t.Errorf("CheckDevices(printer %q): %v", ok, err)
		}
	}
	for _, bad := range []string{"a b", "a/b", "a#b", "-x", `a"b`, "a\tb", strings.Repeat("a", 128)} {
		if err := CheckDevices(bad, time.Minute, ""); err == nil {
			t.Errorf("CheckDevices(printer %q) accepted", bad)
		}
	}
	if err := CheckDevices("accueil", 0, ""); err == nil {
		t.Error("CheckDevices with a zero grace accepted")
	}
	for _, ok := range []string{"test:0", "escl:https://192.0.2.5:443", "hpaio:/usb/Deskjet_2700?serial=X"} {
		if err := CheckDevices("", time.Minute, ok); err != nil {
			t.Errorf("CheckDevices(scanner %q): %v", ok, err)
		}
	}
	for _, bad := range []string{"-d", "a b", "a\nb"} {
		if err := CheckDevices("", time.Minute, bad); err == nil {
			t.Errorf("CheckDevices(scanner %q) accepted", bad)
		}
	}
}
