package proxy

import (
	"io"
	"net"
	"syscall"
)

// spliceChunk is the most one splice(2) call moves into the pipe.
const spliceChunk = 1 << 20

// pipeSize is asked of the kernel for each relay pipe (fs.pipe-max-size
// is 1 MiB by default); a smaller pipe still works.
const pipeSize = 1 << 20

const (
	fSetPipeSz    = 1031 // F_SETPIPE_SZ
	spliceFMove   = 0x1  // SPLICE_F_MOVE
	spliceFNBlock = 0x2  // SPLICE_F_NONBLOCK
)

// spliceRaw is splice(2) without the runtime's system-call bookkeeping.
// Every descriptor given to it is non-blocking and SPLICE_F_NONBLOCK is
// set, so it never blocks; skipping the bookkeeping keeps Go's scheduler
// from handing the processor to another thread (and waking its monitor
// thread) around each of the thousands of short calls a tunnel makes.
func spliceRaw(in, out, n int) (int, syscall.Errno) {
	r, _, e := syscall.RawSyscall6(syscall.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(n), spliceFMove|spliceFNBlock)
	return int(r), e
}

// spliceCopy moves bytes from src to dst through a kernel pipe until src
// ends, waiting for readiness with Go's network poller. It returns
// handled=false, having moved nothing, when either side is not a socket
// that allows it.
func spliceCopy(dst, src net.Conn) (written int64, handled bool, err error) {
	sc, ok1 := src.(syscall.Conn)
	dc, ok2 := dst.(syscall.Conn)
	if !ok1 || !ok2 {
		return 0, false, nil
	}
	srcRaw, err1 := sc.SyscallConn()
	dstRaw, err2 := dc.SyscallConn()
	if err1 != nil || err2 != nil {
		return 0, false, nil
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return 0, false, nil
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	_, _, _ = syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(p[1]), fSetPipeSz, pipeSize)

	for {
		var n int
		var serr syscall.Errno
		rerr := srcRaw.Read(func(fd uintptr) bool {
			n, serr = spliceRaw(int(fd), p[1], spliceChunk)
			return serr != syscall.EAGAIN && serr != syscall.EINTR
		})
		if rerr != nil {
			return written, true, rerr
		}
		if serr != 0 {
			return written, true, serr
		}
		if n == 0 {
			return written, true, nil // src ended
		}
		for n > 0 {
			var m int
			werr := dstRaw.Write(func(fd uintptr) bool {
				m, serr = spliceRaw(p[0], int(fd), n)
				return serr != syscall.EAGAIN && serr != syscall.EINTR
			})
			if werr != nil {
				return written, true, werr
			}
			if serr != 0 {
				return written, true, serr
			}
			if m == 0 {
				return written, true, io.ErrUnexpectedEOF
			}
			n -= m
			written += int64(m)
		}
	}
}
