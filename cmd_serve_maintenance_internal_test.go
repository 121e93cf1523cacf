package main

import (
	"io"
	"strings"
	"testing"
)

func TestServeFlags_MaintenanceWindow(t *testing.T) {
	testCases := []struct {
		arg, want, wantErr string
	}{
		{"", "off", ""},
		{"22:00-06:00", "22:00-06:00", ""},
		{"25:00-06:00", "", "--maintenance-window: bad maintenance window"},
		{"22:00", "", "want HH:MM-HH:MM"},
	}
	for _, tc := range testCases {
		fs, c := newServeFlags(io.Discard)
		args := []string{}
		if tc.arg != "" {
			args = []string{"--maintenance-window", tc.arg}
		}
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		err := c.validate()
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("validate(--maintenance-window %q) = %v, want an error containing %q", tc.arg, err, tc.wantErr)
		case tc.wantErr == "" && err != nil:
			t.Errorf("validate(--maintenance-window %q) = %v", tc.arg, err)
		case tc.wantErr == "" && c.window.String() != tc.want:
			t.Errorf("--maintenance-window %q gives %s, want %s", tc.arg, c.window, tc.want)
		}
	}
}
