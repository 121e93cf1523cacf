package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/communes/kiosk/session"
)

func TestController_WarningAndExtend(t *testing.T) {
	c, clk, rec := newTest(t, session.Config{IdleTimeout: time.Hour})
	tick := func(d time.Duration) session.Snapshot {
		clk.Set(t0.Add(d))
		c.Tick(t0.Add(d))
		return c.Snapshot()
	}
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	if s := tick(40*mn - sec); s.Warning || s.Remaining != 5*60+1 {
		t.Fatalf("at 39:59: warning=%v remaining=%d, want false 301", s.Warning, s.Remaining)
	}
	v := c.Snapshot().Version
	s := tick(40 * mn)
	if !s.Warning || s.Remaining != 300 || s.Version == v {
		t.Fatalf("at 40:00: warning=%v remaining=%d version %d->%d, want true 300 and a new version", s.Warning, s.Remaining, v, s.Version)
	}
	if err := c.Extend("Marie", 15*mn); err != nil {
		t.Fatalf("Extend: %v", err)
	}
	s = c.Snapshot()
	if s.Warning || s.Remaining != 20*60 || !s.EndsAt.Equal(t0.Add(60*mn)) {
		t.Fatalf("after Extend: warning=%v remaining=%d ends=%s", s.Warning, s.Remaining, s.EndsAt)
	}
	if s = tick(55 * mn); !s.Warning {
		t.Fatalf("at 55:00 after extend: no warning")
	}
	if s = tick(60 * mn); s.State != session.StateEnding || s.EndReason != session.ReasonTimeLimit {
		t.Fatalf("at 60:00: state %s reason %q, want ending timelimit", s.State, s.EndReason)
	}
	if e := rec.lastEnd(t); e.Extensions != 1 || e.Ended.Sub(e.Started) != 60*mn {
		t.Errorf("End = %+v, want 1 extension and 60 min", e)
	}
	if err := c.Extend("Marie", mn); !errors.Is(err, session.ErrWrongState) {
		t.Errorf("Extend after the end: %v, want ErrWrongState", err)
	}
	if err := c.Extend("Marie", 0); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("Extend(0): %v, want ErrInvalid", err)
	}
}

func TestController_LateTick(t *testing.T) {
	// The loop was stopped (suspend): one tick long after both deadlines
	// ends the session at the deadline that passed first.
	testCases := []struct {
		name       string
		conf       session.Config
		wantReason string
		wantEnd    time.Duration
		wantIdle   time.Duration
	}{
		{"idle first", session.Config{}, session.ReasonIdle, 3*mn + 30*sec, 3*mn + 30*sec},
		{"limit first", session.Config{MaxSession: 2 * mn, Warning: mn}, session.ReasonTimeLimit, 2 * mn, 0},
		{"limit during countdown", session.Config{MaxSession: 3*mn + 10*sec, Warning: mn}, session.ReasonTimeLimit, 3*mn + 10*sec, 3*mn + 10*sec},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			c, clk, rec := newTest(t, tc.conf)
			if err := c.Start("fr", false); err != nil {
				t.Fatal(err)
			}
			clk.Set(t0.Add(2 * time.Hour))
			c.Tick(t0.Add(2 * time.Hour))
			e := rec.lastEnd(t)
			if e.Reason != tc.wantReason || e.Ended.Sub(t0) != tc.wantEnd || e.Idle != tc.wantIdle {
				t.Errorf("End = %s at %s idle %s, want %s at %s idle %s",
					e.Reason, e.Ended.Sub(t0), e.Idle, tc.wantReason, tc.wantEnd, tc.wantIdle)
			}
			if e.Active+e.Idle != e.Ended.Sub(e.Started) {
				t.Errorf("Active %s + Idle %s != duration %s", e.Active, e.Idle, e.Ended.Sub(e.Started))
			}
		})
	}
}

func TestController_EndRecord(t *testing.T) {
	c, clk, rec := newTest(t, session.Config{})
	c.Visited("CAF") // outside a session: ignored
	if err := c.Start("tr", false); err != nil {
		t.Fatal(err)
	}
	c.Visited("Impôts")
	c.Visited("CAF")
	c.Visited("Impôts")
	c.Visited("")
	clk.Set(t0.Add(3*mn + 20*sec))
	c.Tick(t0.Add(3*mn + 20*sec)) // countdown since 3:00
	if err := c.Continue(); err != nil {
		t.Fatal(err)
	}
	c.Help()
	clk.Set(t0.Add(5 * mn))
	if err := c.End(""); err != nil {
		t.Fatal(err)
	}
	e := rec.lastEnd(t)
	want := session.End{
		Reason: session.ReasonUser, Started: t0, Ended: t0.Add(5 * mn),
		Active: 5*mn - (3*mn + 20*sec), Idle: 3*mn + 20*sec,
		Lang: "tr", Sites: []string{"CAF", "Impôts"}, Help: true,
	}
	if e.Reason != want.Reason || !e.Started.Equal(want.Started) || !e.Ended.Equal(want.Ended) ||
		e.Active != want.Active || e.Idle != want.Idle || e.Lang != want.Lang ||
		!slices.Equal(e.Sites, want.Sites) || e.Help != want.Help || e.Supervised {
		t.Errorf("End = %+v\nwant %+v", e, want)
	}
	if s := c.Snapshot(); s.Lang != "tr" || !s.HelpAt.IsZero() {
		t.Errorf("ending snapshot: lang %q help_at %v, want tr and no help", s.Lang, s.HelpAt)
	}
	_ = c.Satisfaction("skip")
	_ = c.Wiped(true, "")
	if s := c.Snapshot(); s.Lang != "fr" {
		t.Errorf("welcome lang = %q, want fr", s.Lang)
	}
}

func TestController_Snapshot(t *testing.T) {
	c, clk, _ := newTest(t, session.Config{})
	if err := c.Start("ar", false); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(3*mn + 5*sec))
	c.Tick(t0.Add(3*mn + 5*sec))
	if err := c.SetMessage("Marie", "  Un agent\narrive  "); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"state": "countdown", "mode": "self-service", "supervised": false, "lang": "ar",
		"remaining_s": float64(45*60 - 185), "idle_s": float64(185), "countdown_s": float64(25),
		"countdown_ends_at": "2026-11-25T09:03:30Z", "started_at": "2026-11-25T09:00:00Z",
		"ends_at": "2026-11-25T09:45:00Z", "now": "2026-11-25T09:03:05Z", "message": "Un agent arrive",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("snapshot[%q] = %#v, want %#v (%s)", k, m[k], v, b)
		}
	}
	for _, k := range []string{"end_reason", "error", "help_at", "satisfaction_ends_at"} {
		if _, ok := m[k]; ok {
			t.Errorf("snapshot has %q, want it omitted: %s", k, b)
		}
	}
}

func TestController_Policy(t *testing.T) {
	c, _, _ := newTest(t, session.Config{})
	if c.Supervised() || c.Override("laposte.net") {
		t.Fatal("welcome: Supervised or Override true")
	}
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	if c.Supervised() || c.Override("laposte.net") {
		t.Error("self-service session: Supervised or Override true")
	}
}

func TestController_Wait(t *testing.T) {
	c, _, _ := newTest(t, session.Config{})
	v := c.Snapshot().Version
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if s := c.Wait(ctx, v); s.Version != v {
		t.Fatalf("Wait without a change: version %d, want %d", s.Version, v)
	}
	if s := c.Wait(context.Background(), v-1); s.Version != v {
		t.Fatalf("Wait(old version) = %d, want %d at once", s.Version, v)
	}
	got := make(chan session.Snapshot)
	go func() { got <- c.Wait(context.Background(), v) }()
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s.State != session.StateActive || s.Version <= v {
			t.Fatalf("Wait returned %s v%d, want active after v%d", s.State, s.Version, v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after Start")
	}
}

func TestController_Run(t *testing.T) {
	// The real loop on the real clock, with short timeouts.
	c, err := session.New(&session.Config{
		IdleTimeout: 30 * time.Millisecond, IdleCountdown: 30 * time.Millisecond,
		Warning: time.Millisecond, SatisfactionTimeout: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	if err := c.Start("fr", false); err != nil {
		t.Fatal(err)
	}
	var seen []session.State
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	s := c.Snapshot()
	for s.State != session.StateWiping && wctx.Err() == nil {
		s = c.Wait(wctx, s.Version)
		if len(seen) == 0 || seen[len(seen)-1] != s.State {
			seen = append(seen, s.State)
		}
	}
	// The countdown lasts 30 ms: a loaded machine may not schedule this
	// goroutine while it shows, so only the outcome is asserted here (the
	// fake-clock tests check every transition).
	if s.State != session.StateWiping || s.EndReason != session.ReasonIdle {
		t.Errorf("states seen: %q, end reason %q; want wiping after an idle end", strings.Join(statesText(seen), " "), s.EndReason)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func statesText(ss []session.State) []string {
	var out []string
	for _, s := range ss {
		out = append(out, string(s))
	}
	return out
}

func TestController_Concurrent(t *testing.T) {
	c, clk, _ := newTest(t, session.Config{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				switch (i + j) % 6 {
				case 0:
					_ = c.Start("fr", false)
				case 1:
					c.Activity()
					c.Visited("CAF")
				case 2:
					_ = c.End("user")
				case 3:
					_ = c.Satisfaction("oui")
				case 4:
					_ = c.Wiped(true, "")
				case 5:
					now := t0.Add(time.Duration(j) * time.Second)
					clk.Set(now)
					c.Tick(now)
					_ = c.Snapshot()
					_ = c.Supervised()
				}
			}
		})
	}
	wg.Wait()
	if s := c.Snapshot(); s.Version < 2 {
		t.Errorf("version %d after concurrent use, want changes", s.Version)
	}
}

func TestConfig_Validate(t *testing.T) {
	testCases := []struct {
		name string
		conf session.Config
		want string // substring of the error, "" for valid
	}{
		{"zero value", session.Config{}, ""},
		{"all set", session.Config{Mode: session.Mixed, Languages: []string{"ar", "fr"}, WelcomeText: map[string]string{"fr": "Bonjour"}}, ""},
		{"unknown mode", session.Config{Mode: "kiosk"}, `mode "kiosk"`},
		{"negative idle", session.Config{IdleTimeout: -time.Second}, "IdleTimeout is negative"},
		{"warning too long", session.Config{Warning: time.Hour}, "Warning"},
		{"unknown language", session.Config{Languages: []string{"fr", "de"}}, `language "de"`},
		{"duplicate language", session.Config{Languages: []string{"fr", "fr"}}, "twice"},
		{"unknown welcome language", session.Config{WelcomeText: map[string]string{"xx": "?"}}, `"xx"`},
	}
	for _, tc := range testCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := session.New(&tc.conf)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("New = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, session.ErrInvalid) {
				t.Fatalf("New = %v, want ErrInvalid containing %q", err, tc.want)
			}
		})
	}
}

func TestError_Code(t *testing.T) {
	c, _, _ := newTest(t, session.Config{Mode: session.SupervisedOnly})
	err := c.Start("fr", false)
	var coded interface{ Code() string }
	if !errors.As(err, &coded) || coded.Code() != "unlock_required" {
		t.Fatalf("Start error %v: Code() = %v, want unlock_required", err, coded)
	}
}

func TestController_Settings(t *testing.T) {
	c, _, _ := newTest(t, session.Config{WelcomeText: map[string]string{"fr": "Bienvenue"}})
	s := c.Settings()
	if s.IdleTimeout != 180 || s.IdleCountdown != 30 || s.MaxSession != 2700 || s.MaxSupervised != 5400 ||
		s.Warning != 300 || s.SatisfactionTimeout != 15 || s.Mode != session.SelfService ||
		!slices.Equal(s.Languages, session.DefaultLanguages) || s.WelcomeText["fr"] != "Bienvenue" {
		t.Errorf("Settings = %+v, want the documented defaults", s)
	}
}
