package browser

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/communes/kiosk/kiosk"
)

// Handles returns the heartbeat pipes and the job handle the
// supervisor passed (kiosk.EnvHandles); job is 0 when none came.
func Handles() (in, out *os.File, job uintptr, err error) {
	v := os.Getenv(kiosk.EnvHandles)
	_ = os.Unsetenv(kiosk.EnvHandles) // WebView2's processes need none of it
	parts := strings.Split(v, ",")
	if v == "" || len(parts) < 2 {
		return nil, nil, 0, fmt.Errorf("no heartbeat handles in %s", kiosk.EnvHandles)
	}
	var hs []uintptr
	for _, p := range parts {
		h, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("reading %s: %w", kiosk.EnvHandles, err)
		}
		hs = append(hs, uintptr(h))
		// Nothing this process starts (WebView2) may inherit them.
		_ = windows.SetHandleInformation(windows.Handle(h), windows.HANDLE_FLAG_INHERIT, 0)
	}
	in, out = os.NewFile(hs[0], "heartbeat-in"), os.NewFile(hs[1], "heartbeat-out")
	if len(hs) > 2 {
		job = hs[2]
	}
	return in, out, job, nil
}

// JoinJob puts this process (and so every WebView2 process it starts) in
// job, then closes this process's handle: the supervisor's handle alone
// keeps the job, so that the job's processes die with the supervisor.
func JoinJob(job uintptr) error {
	if job == 0 {
		return nil
	}
	h := windows.Handle(job)
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(h, windows.CurrentProcess()); err != nil {
		return fmt.Errorf("joining the browser's job object: %w", err)
	}
	return nil
}
