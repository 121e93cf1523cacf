package browser

import (
	"strings"
	"testing"

	"github.com/communes/kiosk/kiosk"
)

// Each cause the supervisor passes gets its own sentence: a browser that
// no longer starts, or a missing lockdown, never says that a resident's
// data could not be erased.
func TestOutOfOrderPageFor(t *testing.T) {
	testCases := []struct {
		kind, want string
	}{
		{"", "Les données de la session précédente n'ont pas pu être effacées."},
		{kiosk.OutOfOrderWipe, "Les données de la session précédente n'ont pas pu être effacées."},
		{kiosk.OutOfOrderBrowser, "Le navigateur de la borne ne démarre plus."},
		{kiosk.OutOfOrderLockdown, "La protection réseau de la borne n'est pas active."},
	}
	for _, tc := range testCases {
		page := outOfOrderPageFor(tc.kind, "détail <b>")
		if !strings.Contains(page, tc.want) || !strings.Contains(page, "détail &lt;b&gt;") {
			t.Errorf("outOfOrderPageFor(%q) lacks %q or the escaped detail", tc.kind, tc.want)
		}
		if tc.kind != "" && tc.kind != kiosk.OutOfOrderWipe && strings.Contains(page, "effacées") {
			t.Errorf("outOfOrderPageFor(%q) speaks of erased data", tc.kind)
		}
	}
}
