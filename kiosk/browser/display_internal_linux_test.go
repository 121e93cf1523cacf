package browser

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// displayFake is the fake view with the display calls, recording them.
type displayFake struct {
	*fakeView
	zoom        float64
	all, portal string
}

func (v *displayFake) SetZoom(level float64)            { v.zoom = level }
func (v *displayFake) SetUserStyles(all, portal string) { v.all, v.portal = all, portal }

// lastToolbarAnswer returns the settings of the toolbar's last answer.
func (v *displayFake) lastToolbarAnswer(t *testing.T) (ok bool, d displayJSON, raw string) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.toolbarJS) == 0 {
		t.Fatal("the toolbar got no answer")
	}
	raw = v.toolbarJS[len(v.toolbarJS)-1]
	// window.__kioskToolbarReply && window.__kioskToolbarReply("n", ok, result)
	args := raw[strings.LastIndex(raw, "(")+1 : len(raw)-1]
	parts := strings.SplitN(args, ", ", 3)
	if len(parts) != 3 {
		t.Fatalf("toolbar answer %q", raw)
	}
	_ = json.Unmarshal([]byte(parts[2]), &d)
	return parts[1] == "true", d, raw
}

// The toolbar steps the zoom between 100 % and 200 %, toggles contrast and
// the pointer, and the view gets each setting; an unknown change is
// refused and changes nothing.
func TestDisplay_ToolbarChangesTheView(t *testing.T) {
	v := &displayFake{fakeView: newFakeView()}
	b, _ := testBrowser(t, v)
	b.committed, b.committedStatus = "https://www.caf.fr/x", 200
	call := func(change string) (bool, displayJSON) {
		t.Helper()
		b.lastGesture = time.Now()
		b.ToolbarMessage(`{"id":"1","name":"kioskDisplay","args":[` + jsonString(change) + `]}`)
		ok, d, _ := v.lastToolbarAnswer(t)
		return ok, d
	}
	want := []float64{1.25, 1.5, 1.75, 2, 2, 2}
	for i, w := range want {
		if ok, d := call("zoom-in"); !ok || d.Zoom != w || v.zoom != w || d.MaxZoom != (w == 2) {
			t.Fatalf("zoom-in #%d: answer %v %+v, view %v; want %v", i+1, ok, d, v.zoom, w)
		}
	}
	for i := 0; i < 6; i++ {
		call("zoom-out")
	}
	if ok, d := call("zoom-out"); !ok || d.Zoom != 1 || !d.MinZoom || v.zoom != 1 {
		t.Fatalf("zoom-out at 100 %%: %v %+v, view %v", ok, d, v.zoom)
	}
	if ok, d := call("contrast-on"); !ok || !d.Contrast || !strings.Contains(v.all, "background-color:#000!important") || !strings.Contains(v.portal, "--blue:#ffff00") {
		t.Fatalf("contrast-on: %v %+v, styles %q / %q", ok, d, v.all, v.portal)
	}
	if ok, d := call("pointer-on"); !ok || !d.Pointer || !d.Contrast || !strings.Contains(v.all, "cursor:url(") {
		t.Fatalf("pointer-on: %v %+v, styles %q", ok, d, v.all)
	}
	if ok, d := call("contrast-off"); !ok || d.Contrast || strings.Contains(v.all, "#000!important") || v.portal != "" || !strings.Contains(v.all, "cursor:url(") {
		t.Fatalf("contrast-off: %v %+v, styles %q / %q", ok, d, v.all, v.portal)
	}
	before := b.disp
	if ok, _ := call("zoom-in); alert(1"); ok || b.disp != before {
		t.Fatalf("an unknown change was accepted (%+v)", b.disp)
	}
	if _, _, raw := v.lastToolbarAnswer(t); !strings.Contains(raw, "bad_change") {
		t.Errorf("unknown change answered %q", raw)
	}
	// Without the resident's touch, nothing changes.
	b.lastGesture = time.Time{}
	b.ToolbarMessage(`{"id":"2","name":"kioskDisplay","args":["zoom-in"]}`)
	if ok, _, raw := v.lastToolbarAnswer(t); ok || !strings.Contains(raw, "no_gesture") || b.disp != before {
		t.Fatalf("zoom-in without a touch: %q, settings %+v", raw, b.disp)
	}
}

// A new browser process, that is a new session, starts at 100 %, without
// contrast nor a larger pointer.
func TestDisplay_NewProcessStartsFromTheDefaults(t *testing.T) {
	v := &displayFake{fakeView: newFakeView()}
	b, _ := testBrowser(t, v)
	if b.disp != (display{}) || zoomSteps[b.disp.step] != 1 {
		t.Fatalf("new browser's display: %+v", b.disp)
	}
	all, portal := b.disp.styles()
	if all != "" || portal != "" {
		t.Fatalf("default styles %q %q", all, portal)
	}
}
