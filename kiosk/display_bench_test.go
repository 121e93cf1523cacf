//go:build webview && linux

package kiosk_test

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkShell_DisplayMemory measures the browser's memory on the test
// site before and after the resident turns on 200 %, high contrast and the
// larger pointer, then goes to another page and back (docs/benchmarks.md):
// the browser process's RSS and the whole WebKit group's PSS, and their
// growth; "off" is the same session without the display changes.
func BenchmarkShell_DisplayMemory(b *testing.B) {
	b.Run("off", func(b *testing.B) { displayMemory(b, false) })
	b.Run("on", func(b *testing.B) { displayMemory(b, true) })
}

func displayMemory(b *testing.B, change bool) {
	var before, after, groupBefore, groupAfter mem
	for i := 0; i < b.N; i++ {
		r := newRig(b, rigOptions{wm: true})
		ready := r.log.wait(b, "welcome ready", 0, 15*time.Second)
		r.sessionOn("")
		groupPSS := func() (m mem) {
			for _, pid := range groupPIDs(ready.pid()) {
				x := memOf(pid)
				m.rss += x.rss
				m.pss += x.pss
			}
			return m
		}
		before, groupBefore = memOf(ready.pid()), groupPSS()
		if change {
			inner := r.innerWidth()
			for _, z := range []string{"1.25", "1.5", "1.75", "2"} {
				r.pressDisplay("zoom-in", "Math.abs(window.innerWidth - "+strconv.Itoa(inner)+" / "+z+") < 2")
			}
			r.pressDisplay("contrast", "getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 0)'")
			r.pressDisplay("pointer", "getComputedStyle(document.body).cursor.indexOf('url(') >= 0")
		} else {
			// The same presses' worth of toolbar: the panel opened and closed.
			r.pressDisplay("display", toolbarButton("display")+".getAttribute('aria-expanded') === 'true'")
			r.pressDisplay("display", toolbarButton("display")+".getAttribute('aria-expanded') === 'false'")
		}
		r.openPage("autre")
		r.openPage("")
		after, groupAfter = memOf(ready.pid()), groupPSS()
		r.stop()
	}
	b.ReportMetric(before.rss, "browser-RSS-before-MB")
	b.ReportMetric(after.rss-before.rss, "browser-RSS-growth-MB")
	b.ReportMetric(groupBefore.pss, "group-PSS-before-MB")
	b.ReportMetric(groupAfter.pss-groupBefore.pss, "group-PSS-growth-MB")
}
