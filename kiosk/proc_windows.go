package kiosk

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// jobs maps each started browser command to its job object.
var (
	jobsMu sync.Mutex
	jobs   = map[*exec.Cmd]windows.Handle{}
)

// setProcessGroup prepares cmd (before Start): the heartbeat pipes that
// startChild put in ExtraFiles become inherited handles, and a new job
// object that kills every process in it when its last handle closes (the
// supervisor's, should the supervisor die) is handed to the browser
// process, which joins it before it starts WebView2. killProcessGroup
// then ends WebView2's processes with it.
func setProcessGroup(cmd *exec.Cmd) {
	sa := &windows.SecurityAttributes{InheritHandle: 1}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	job, err := windows.CreateJobObject(sa, nil)
	if err != nil {
		job = 0
	} else {
		info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
		info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
		_, err = windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
			uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
		if err != nil {
			windows.CloseHandle(job)
			job = 0
		}
	}
	handles := make([]string, 0, 3)
	inherit := make([]syscall.Handle, 0, 3)
	for _, f := range cmd.ExtraFiles {
		h := windows.Handle(f.Fd())
		_ = windows.SetHandleInformation(h, windows.HANDLE_FLAG_INHERIT, windows.HANDLE_FLAG_INHERIT)
		inherit = append(inherit, syscall.Handle(h))
		handles = append(handles, strconv.FormatUint(uint64(h), 10))
	}
	cmd.ExtraFiles = nil
	if job != 0 {
		inherit = append(inherit, syscall.Handle(job))
		handles = append(handles, strconv.FormatUint(uint64(job), 10))
		jobsMu.Lock()
		jobs[cmd] = job
		jobsMu.Unlock()
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.AdditionalInheritedHandles = append(cmd.SysProcAttr.AdditionalInheritedHandles, inherit...)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, EnvHandles+"="+strings.Join(handles, ","))
}

// jobAccounting is JOBOBJECT_BASIC_ACCOUNTING_INFORMATION.
type jobAccounting struct {
	TotalUserTime, TotalKernelTime                       int64
	ThisPeriodTotalUserTime, ThisPeriodTotalKernelTime   int64
	TotalPageFaultCount, TotalProcesses, ActiveProcesses uint32
	TotalTerminatedProcesses                             uint32
}

// killProcessGroup kills the browser process pid and every process of its
// job (WebView2's), and waits (up to 2 s) until none is left, so that
// nothing writes into the profile while it is removed.
func killProcessGroup(pid int) {
	if job, ok := takeJob(pid); ok {
		_ = windows.TerminateJobObject(job, 1)
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			var acc jobAccounting
			err := windows.QueryInformationJobObject(job, windows.JobObjectBasicAccountingInformation,
				uintptr(unsafe.Pointer(&acc)), uint32(unsafe.Sizeof(acc)), nil)
			if err != nil || acc.ActiveProcesses == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond) // no event tells when a job is empty
		}
		windows.CloseHandle(job)
	}
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
		p.Release()
	}
}

// takeJob removes and returns the job of the started command pid, and
// forgets the jobs of commands that ended or never started.
func takeJob(pid int) (windows.Handle, bool) {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	var job windows.Handle
	found := false
	for cmd, h := range jobs {
		if cmd.Process != nil && cmd.Process.Pid == pid {
			job, found = h, true
			delete(jobs, cmd)
		}
	}
	return job, found
}
