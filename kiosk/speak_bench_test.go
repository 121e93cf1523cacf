//go:build webview && linux

package kiosk_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkShell_SpeakFirstSample measures the resident's press on
// "Écouter" (a real click, xdotool) to the first audio sample written
// (docs/benchmarks.md): X event, GTK, WebKit, the toolbar's script,
// kioskSpeak, espeak-ng's start and first samples, written to the tests'
// WAV sink instead of the sound card. Each press reads a site's page, then
// Stop.
func BenchmarkShell_SpeakFirstSample(b *testing.B) {
	r, dir := speechRig(b, rigOptions{})
	r.log.wait(b, "welcome ready", 0, 15*time.Second)
	r.sessionOn("")
	r.mustEval(longPage)
	r.waitEval("Écouter", listenJS+" && "+listenJS+".getClientRects().length > 0", 10*time.Second)
	res := r.mustEval(`(function () { var b = ` + listenJS + `.getBoundingClientRect(); return [Math.round(window.screenX + b.left + b.width / 2), Math.round(window.screenY + b.top + b.height / 2)]; })()`)
	var xy []int
	if err := json.Unmarshal(res.Result, &xy); err != nil || len(xy) != 2 {
		b.Fatalf("the button's box: %s", res.Result)
	}
	xdotool := func(args ...string) {
		cmd := exec.Command("xdotool", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+r.display)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("xdotool: %v %s", err, out)
		}
	}
	// The pointer rests on the button: the timed click is the press
	// alone (a `mousemove --sync` to where the pointer already is waits
	// for a motion that never comes).
	r.movePointerAway()
	xdotool("mousemove", "--sync", strconv.Itoa(xy[0]), strconv.Itoa(xy[1]))
	click := func() { xdotool("click", "1") }
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := len(wavs(b, dir, "*.wav"))
		t0 := time.Now()
		click()
		deadline := t0.Add(10 * time.Second)
		for {
			if m := wavs(b, dir, "*.wav"); len(m) > n {
				if fi, err := os.Stat(m[len(m)-1]); err == nil && fi.Size() > wavHeader {
					ds = append(ds, time.Since(t0))
					break
				}
			}
			if time.Now().After(deadline) {
				b.Fatal("no audio within 10 s of the press")
			}
			time.Sleep(time.Millisecond) // polling the sink file: no event says a sample was written
		}
		b.StopTimer()
		r.waitEval("Stop", listenJS+".getAttribute('aria-pressed') === 'true'", 5*time.Second)
		click() // Stop
		r.waitSilent(listenJS, 5*time.Second)
		b.StartTimer()
	}
	b.StopTimer()
	b.Logf("listen to first sample, ms: %v", msList(ds))
	reportDurations(b, "listen-to-first-sample", ds)
}

// BenchmarkShell_SpeakMemory measures the supervisor's and the browser
// process's memory on a site's page before and after the resident used
// read-aloud ("on": five readings, each stopped after a second, then
// another page and back; "off": the same pages without reading), and
// espeak-ng's own while it reads (docs/benchmarks.md).
func BenchmarkShell_SpeakMemory(b *testing.B) {
	b.Run("off", func(b *testing.B) { speakMemory(b, false) })
	b.Run("on", func(b *testing.B) { speakMemory(b, true) })
}

func speakMemory(b *testing.B, use bool) {
	var before, after, shellBefore, shellAfter, espeak mem
	for i := 0; i < b.N; i++ {
		r, dir := speechRig(b, rigOptions{})
		ready := r.log.wait(b, "welcome ready", 0, 15*time.Second)
		r.sessionOn("")
		r.mustEval(longPage)
		r.waitEval("Écouter", listenJS+" && "+listenJS+".getClientRects().length > 0", 10*time.Second)
		r.movePointerAway()
		before, shellBefore = memOf(ready.pid()), memOf(r.shell.Process.Pid)
		if use {
			for j := 0; j < 5; j++ {
				r.movePointerAway()
				r.press(listenJS)
				r.waitFor("utterance", 10*time.Second, func() bool { return len(wavs(b, dir, "*.wav")) == j+1 })
				r.waitAudio(dir, filepath.Base(wavs(b, dir, "*.wav")[j]), 1, 10*time.Second)
				for _, pid := range groupPIDs(ready.pid()) {
					if comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); strings.TrimSpace(string(comm)) == "espeak-ng" {
						espeak = memOf(pid)
					}
				}
				r.movePointerAway()
				r.press(listenJS) // Stop
				r.waitSilent(listenJS, 5*time.Second)
			}
		}
		r.openPage("autre")
		r.openPage("")
		after, shellAfter = memOf(ready.pid()), memOf(r.shell.Process.Pid)
		r.stop()
	}
	b.ReportMetric(before.rss, "browser-RSS-before-MB")
	b.ReportMetric(after.rss-before.rss, "browser-RSS-growth-MB")
	b.ReportMetric(shellBefore.rss, "shell-RSS-before-MB")
	b.ReportMetric(shellAfter.rss-shellBefore.rss, "shell-RSS-growth-MB")
	if use {
		b.ReportMetric(espeak.rss, "espeak-RSS-MB")
	}
}

// msList returns ds in milliseconds, sorted.
func msList(ds []time.Duration) []int {
	ms := make([]int, len(ds))
	for i, d := range ds {
		ms[i] = int(d.Milliseconds())
	}
	sort.Ints(ms)
	return ms
}
