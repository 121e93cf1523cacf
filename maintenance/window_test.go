package maintenance_test

import (
	"errors"
	"testing"
	"time"

	"github.com/communes/kiosk/maintenance"
)

func TestParseWindow_Errors(t *testing.T) {
	testCases := []struct{ name, in string }{
		{"no dash", "22:00"},
		{"hour 24", "24:00-06:00"},
		{"minute 60", "22:60-06:00"},
		{"same", "06:00-06:00"},
		{"words", "night"},
		{"short minutes", "22:0-06:00"},
		{"sign", "-1:00-06:00"},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := maintenance.ParseWindow(tc.in)
			if !errors.Is(err, maintenance.ErrBadWindow) {
				t.Errorf("ParseWindow(%q) err = %v, want ErrBadWindow", tc.in, err)
			}
		})
	}
}

func TestWindow_Contains(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, time.UTC) }
	testCases := []struct {
		window string
		at     time.Time
		want   bool
	}{
		{"22:00-06:00", at(21, 59), false},
		{"22:00-06:00", at(22, 0), true},
		{"22:00-06:00", at(23, 59), true},
		{"22:00-06:00", at(0, 0), true},
		{"22:00-06:00", at(5, 59), true},
		{"22:00-06:00", at(6, 0), false},
		{"22:00-06:00", at(12, 0), false},
		{"01:30-04:00", at(1, 29), false},
		{"01:30-04:00", at(1, 30), true},
		{"01:30-04:00", at(4, 0), false},
		{"off", at(3, 0), false},
	}
	for _, tc := range testCases {
		w, err := maintenance.ParseWindow(tc.window)
		if err != nil {
			t.Fatalf("ParseWindow(%q): %v", tc.window, err)
		}
		if got := w.Contains(tc.at); got != tc.want {
			t.Errorf("%s.Contains(%s) = %v, want %v", w, tc.at.Format("15:04"), got, tc.want)
		}
	}
	if w, _ := maintenance.ParseWindow("2:05-6:00"); w.String() != "02:05-06:00" {
		t.Errorf("String() = %q, want 02:05-06:00", w.String())
	}
}
