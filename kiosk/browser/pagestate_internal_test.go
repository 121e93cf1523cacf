package browser

import (
	"encoding/json"
	"reflect"
	"testing"
)

// fullState is a state object with every field a site's page must not
// read.
const fullState = `{"version":42,"state":"active","mode":"mixed","supervised":true,"lang":"fr",
"now":"2026-11-25T22:10:00Z","remaining_s":2400,"warning":true,"idle_s":12,"countdown_s":30,
"message":"Un agent arrive","help_at":"2026-11-25T22:09:00Z","help_taken":true,
"help":[{"id":2,"at":"2026-11-25T22:01:00Z","age_s":540},{"id":3,"at":"2026-11-25T22:09:00Z","age_s":60,"taken_by":"Marie","taken_at":"2026-11-25T22:09:30Z"}],
"agent":"Marie","overrides":["www.ameli.fr"],"pin_failures":2,"pin_locked_until":"2026-11-25T22:10:30Z","pin_retry_s":30,
"shell_version":"1.0.0"}`

func TestPageState(t *testing.T) {
	testCases := []struct {
		name                 string
		full                 string
		toolbarInPage, block bool
		want                 string
	}{{
		name: "site, toolbar in its own world",
		full: fullState,
		want: `{"lang":"fr","state":"active"}`,
	}, {
		name:  "proxy's blocked page",
		full:  fullState,
		block: true,
		want:  `{"lang":"fr","pin_locked_until":"2026-11-25T22:10:30Z","pin_retry_s":30,"state":"active"}`,
	}, {
		name:          "site, toolbar in the page's world",
		full:          fullState,
		toolbarInPage: true,
		want: `{"countdown_s":30,"help":[{"taken_at":"2026-11-25T22:09:30Z"}],"help_taken":true,"lang":"fr","message":"Un agent arrive",` +
			`"now":"2026-11-25T22:10:00Z","remaining_s":2400,"state":"active","supervised":true,"version":42,"warning":true}`,
	}, {
		name:          "last help not taken",
		full:          `{"state":"active","help":[{"id":3,"at":"2026-11-25T22:09:00Z","age_s":60}]}`,
		toolbarInPage: true,
		want:          `{"state":"active"}`,
	}, {
		name: "no state yet",
		full: "null",
		want: "null",
	}, {
		name: "not an object",
		full: `["agent"]`,
		want: "null",
	}}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			got := pageState(tc.full, tc.toolbarInPage, tc.block)
			var g, w any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatalf("pageState = %s: %v", got, err)
			}
			_ = json.Unmarshal([]byte(tc.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("pageState(%s, %v, %v) = %s, want %s", tc.name, tc.toolbarInPage, tc.block, got, tc.want)
			}
		})
	}
}
