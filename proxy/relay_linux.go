package proxy

import (
	"io"
	"net"
	"syscall"
)

// spliceChunk is the most one splice(2) call is asked to move; the kernel
// moves at most what the pipe holds (64 KiB by default). A 1 MiB pipe
// (F_SETPIPE_SZ) measured no faster, so pipes keep the default size.
const spliceChunk = 1 << 20

const (
	spliceFMove   = 0x1 // SPLICE_F_MOVE
	spliceFNBlock = 0x2 // SPLICE_F_NONBLOCK
)

// spliceRaw is splice(2) without the runtime's system-call bookkeeping.
// Every descriptor given to it is non-blocking and SPLICE_F_NONBLOCK is
// set, so it never blocks; skipping the bookkeeping keeps Go's scheduler
// from handing the processor to another thread (and waking its monitor
// thread) around each of the thousands of short calls a tunnel makes.
//
// EAGAIN means "wait for the poller"; EINTR is retried here, never
// reported as EAGAIN, since the poller is edge-triggered and would not
// wake for bytes that are already there.
func spliceRaw(in, out, n int) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(n), spliceFMove|spliceFNBlock)
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

// spliceWhenReady runs call on the socket's descriptor once the poller
// says it is ready: wait is the socket's RawConn Read (for a socket read
// from) or Write (for one written to).
func spliceWhenReady(wait func(func(uintptr) bool) error, call func(fd int) (int, syscall.Errno)) (int, error) {
	var moved int
	var errno syscall.Errno
	err := wait(func(fd uintptr) bool {
		moved, errno = call(int(fd))
		return errno != syscall.EAGAIN
	})
	if err != nil {
		return 0, err
	}
	if errno != 0 {
		return 0, errno
	}
	return moved, nil
}

// spliceCopy moves bytes from src to dst through a kernel pipe until src
// ends, waiting for readiness with Go's network poller. It returns
// handled=false, having moved nothing, when either side is not a socket
// it can splice (a TLS connection, a test pipe).
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

	for {
		n, err := spliceWhenReady(srcRaw.Read, func(fd int) (int, syscall.Errno) { return spliceRaw(fd, p[1], spliceChunk) })
		if err != nil {
			return written, true, err
		}
		if n == 0 {
			return written, true, nil // src ended
		}
		for n > 0 {
			m, err := spliceWhenReady(dstRaw.Write, func(fd int) (int, syscall.Errno) { return spliceRaw(p[0], fd, n) })
			if err != nil {
				return written, true, err
			}
			if m == 0 {
				return written, true, io.ErrUnexpectedEOF
			}
			n -= m
			written += int64(m)
		}
	}
}
