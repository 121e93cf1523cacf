package usage_test

import (
	"errors"
	"testing"

	"github.com/communes/kiosk/usage"
)

// TestStore_Threat: the antivirus's refusals are counted by signature name
// per day, survive a reopen, and a name that is not a signature (a file
// name, a path with spaces) is refused.
func TestStore_Threat(t *testing.T) {
	clk := newClock(day0)
	c := newConfig(t, clk)
	s, err := usage.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []string{"Win.Test.EICAR_HDB-1", "Win.Test.EICAR_HDB-1", "Kiosk.Test.Custom.UNOFFICIAL"} {
		if err := s.Threat(sig); err != nil {
			t.Fatalf("Threat(%q): %v", sig, err)
		}
	}
	for _, bad := range []string{"", "avis imposition.pdf", "Clé USB", string(make([]byte, 200))} {
		if err := s.Threat(bad); !errors.Is(err, usage.ErrInvalid) {
			t.Errorf("Threat(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, c)
	r := report(t, s, day0)
	if got := r.Totals.Threats; len(got) != 2 || got["Win.Test.EICAR_HDB-1"] != 2 || got["Kiosk.Test.Custom.UNOFFICIAL"] != 1 {
		t.Errorf("Threats = %v, want EICAR 2, Custom 1", got)
	}
	clk.Set(day0.AddDate(0, 0, 1))
	if got := report(t, s, day0.AddDate(0, 0, 1)).Totals.Threats; got == nil || len(got) != 0 {
		t.Errorf("the next day's Threats = %v, want an empty map", got)
	}
}
