//go:build webview && linux

package kiosk_test

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// reportDurations reports the median and the maximum of ds.
func reportDurations(b *testing.B, name string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2])/1e6, name+"-median-ms")
	b.ReportMetric(float64(ds[len(ds)-1])/1e6, name+"-max-ms")
}

// BenchmarkShell_EndToWelcome measures the end of a session (the last
// answer on the satisfaction page) to the next welcome screen loaded in a
// new browser process with a fresh profile (wipe included).
func BenchmarkShell_EndToWelcome(b *testing.B) {
	r := newRig(b, rigOptions{})
	r.log.wait(b, "welcome ready", 0, 15*time.Second)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.startSession()
		r.touchEval("kioskEnd(); 1")
		r.waitEval("the satisfaction page", "location.pathname === '/end' && document.querySelector('[data-answer=skip]')", 10*time.Second)
		mark := r.log.len()
		t0 := time.Now()
		r.mustEval("setTimeout(function () { document.querySelector('[data-answer=skip]').click(); }, 0); 1") // the process may exit before a direct answer
		e := r.log.wait(b, "welcome ready", mark, 10*time.Second)
		ds = append(ds, e.at.Sub(t0))
	}
	b.StopTimer()
	reportDurations(b, "end-to-welcome", ds)
}

// BenchmarkShell_ColdStart measures `kiosk shell` started to the welcome
// screen loaded (the service already running).
func BenchmarkShell_ColdStart(b *testing.B) {
	r := newRig(b, rigOptions{})
	r.log.wait(b, "welcome ready", 0, 15*time.Second)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.stopShell()
		t0 := time.Now()
		r.startShell()
		e := r.log.wait(b, "welcome ready", 0, 15*time.Second)
		ds = append(ds, e.at.Sub(t0))
	}
	b.StopTimer()
	reportDurations(b, "cold-start", ds)
}

// BenchmarkShell_Memory reports the memory of the shell's own process (the
// supervisor), of the browser process (GTK + WebKit UI) and of all WebKit
// processes of the session, on the test site. RSS counts the shared
// libraries the supervisor maps (it is the same binary as the browser);
// PSS shares them out and USS is the supervisor's private memory.
func BenchmarkShell_Memory(b *testing.B) {
	r := newRig(b, rigOptions{})
	ready := r.log.wait(b, "welcome ready", 0, 15*time.Second)
	r.startSession()
	r.mustEval("location.href = '" + siteURL + "'; 1")
	r.waitEval("the site", "location.href === '"+siteURL+"'", 10*time.Second)
	var shell, browser, total mem
	for i := 0; i < b.N; i++ {
		shell = memOf(r.shell.Process.Pid)
		browser = memOf(ready.pid())
		total = mem{}
		for _, pid := range groupPIDs(ready.pid()) {
			m := memOf(pid)
			total.rss += m.rss
			total.pss += m.pss
		}
	}
	b.ReportMetric(shell.rss, "shell-RSS-MB")
	b.ReportMetric(shell.pss, "shell-PSS-MB")
	b.ReportMetric(shell.uss, "shell-USS-MB")
	b.ReportMetric(shell.anon, "shell-RssAnon-MB")
	b.ReportMetric(browser.rss, "browser-RSS-MB")
	b.ReportMetric(total.rss, "browser+webkit-RSS-MB")
	b.ReportMetric(total.pss, "browser+webkit-PSS-MB")
}

// mem is a process's memory in MB.
type mem struct{ rss, pss, uss, anon float64 }

// memOf reads /proc/PID/smaps_rollup (zero if the process is gone).
func memOf(pid int) mem {
	var m mem
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "Rss:":
			m.rss = kb / 1024
		case "Pss:":
			m.pss = kb / 1024
		case "Private_Clean:", "Private_Dirty:":
			m.uss += kb / 1024
		}
	}
	// RssAnon is what the kernel charges the process beyond the page
	// cache: unmapping file pages does not lower it.
	status, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssAnon:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			m.anon = kb / 1024
		}
	}
	return m
}

// groupPIDs lists the processes of process group pgid.
func groupPIDs(pgid int) []int {
	var pids []int
	entries, _ := filepath.Glob("/proc/[0-9]*")
	for _, e := range entries {
		pid, err := strconv.Atoi(filepath.Base(e))
		if err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && g == pgid {
			pids = append(pids, pid)
		}
	}
	return pids
}
