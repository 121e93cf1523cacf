package admin

import (
	"net/url"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC) // 26/11 00:30 in CET
	testCases := []struct {
		q        string
		from, to string
		wantErr  bool
	}{
		{"", "2026-11-01", "2026-11-26", false},
		{"p=today", "2026-11-26", "2026-11-26", false},
		{"p=week", "2026-11-23", "2026-11-26", false}, // Monday
		{"p=month", "2026-11-01", "2026-11-26", false},
		{"from=2026-01-01&to=2026-03-31", "2026-01-01", "2026-03-31", false},
		{"from=2026-02-03", "2026-02-03", "2026-02-03", false},
		{"to=2026-02-03", "2026-02-03", "2026-02-03", false},
		{"from=2026-02-30", "", "", true},
		{"from=03/02/2026", "", "", true},
		{"from=2026-03-01&to=2026-02-01", "", "", true},
		{"from=2020-01-01&to=2026-01-01", "", "", true},
		{"p=decade", "", "", true},
	}
	for _, tc := range testCases {
		q, _ := url.ParseQuery(tc.q)
		p, err := parsePeriod(q, now, testLoc)
		if (err != nil) != tc.wantErr {
			t.Errorf("parsePeriod(%q) error = %v, want error %v", tc.q, err, tc.wantErr)
			continue
		}
		if err == nil && (p.FromValue() != tc.from || p.ToValue() != tc.to) {
			t.Errorf("parsePeriod(%q) = %s..%s, want %s..%s", tc.q, p.FromValue(), p.ToValue(), tc.from, tc.to)
		}
	}
}

func TestFormat(t *testing.T) {
	testCases := []struct{ got, want string }{
		{fmtDuration(0), "0 min"},
		{fmtDuration(45 * time.Second), "45 s"},
		{fmtDuration(12*time.Minute + 50*time.Second), "12 min"},
		{fmtDuration(2*time.Hour + 5*time.Minute), "2 h 05"},
		{fmtDuration(1234 * time.Hour), "1\u202f234 h 00"},
		{fmtNum(999), "999"},
		{fmtNum(1234567), "1\u202f234\u202f567"},
		{fmtPct(1, 3), "33\u00a0%"},
		{fmtPct(2, 3), "67\u00a0%"},
		{fmtPct(1, 0), "—"},
	}
	for _, tc := range testCases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
