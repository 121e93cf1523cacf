package session_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/communes/kiosk/session"
)

// The shell's report that the browser no longer starts puts the terminal
// out of order (no session starts) without counting a wipe failure; a
// successful wipe report puts it back; during a session it is refused.
func TestController_OutOfOrder(t *testing.T) {
	c, _, rec := newTest(t, session.Config{})
	if err := c.OutOfOrder("Le navigateur ne démarre plus"); err != nil {
		t.Fatalf("OutOfOrder in welcome: %v", err)
	}
	if s := c.Snapshot(); s.State != session.StateOutOfOrder || s.Error != "Le navigateur ne démarre plus" {
		t.Errorf("snapshot = %s %q, want out_of_order with the cause", s.State, s.Error)
	}
	if err := c.Start("fr", false); !errors.Is(err, session.ErrOutOfOrder) {
		t.Errorf("Start while out of order: %v, want ErrOutOfOrder", err)
	}
	if strings.Contains(rec.String(), "wipefailed") {
		t.Errorf("a wipe failure was recorded: %s", rec)
	}
	if err := c.Wiped(true, ""); err != nil {
		t.Fatalf("Wiped(true): %v", err)
	}
	if err := c.Start("fr", false); err != nil {
		t.Fatalf("Start back in order: %v", err)
	}
	if err := c.OutOfOrder("x"); !errors.Is(err, session.ErrWrongState) {
		t.Errorf("OutOfOrder during a session: %v, want ErrWrongState", err)
	}
}

// An out-of-order terminal is drained like an idle one: the reboot of a
// pending update may be what repairs it.
func TestController_DrainOutOfOrder(t *testing.T) {
	c, _, _ := newTest(t, session.Config{})
	if err := c.OutOfOrder("Le navigateur ne démarre plus"); err != nil {
		t.Fatal(err)
	}
	if !c.Drain() {
		t.Fatal("Drain while out of order = false, want true")
	}
	if err := c.Wiped(true, ""); err != nil {
		t.Fatalf("Wiped(true): %v", err)
	}
	if err := c.Start("fr", false); !errors.Is(err, session.ErrMaintenance) {
		t.Errorf("Start while drained, back in order: %v, want ErrMaintenance", err)
	}
	c.Undrain()
	if err := c.Start("fr", false); err != nil {
		t.Fatalf("Start after Undrain: %v", err)
	}
}
