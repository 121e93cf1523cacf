package proxy

import (
	"bufio"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestRelay relays megabytes both ways between real loopback TCP
// connections, with early client bytes, and checks every byte, the
// half-close in each direction, and that both ends are closed after.
func TestRelay(t *testing.T) {
	toOrigin := randomBytes(2<<20+123, 1)
	fromOrigin := randomBytes(3<<20+7, 2)

	originLn := listen(t)
	gotAtOrigin := make(chan []byte, 1)
	go func() {
		c, err := originLn.Accept()
		if err != nil {
			gotAtOrigin <- nil
			return
		}
		defer c.Close()
		// Read until the relay passes the client's half-close on; the
		// deadline makes a lost half-close fail instead of hang.
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		b, _ := io.ReadAll(c)
		gotAtOrigin <- b
		_, _ = c.Write(fromOrigin)
	}()

	cl, client := tcpPair(t)
	_ = client.SetDeadline(time.Now().Add(20 * time.Second))
	up, err := net.Dial("tcp", originLn.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	early := bufio.NewReader(strings.NewReader("EARLY"))
	_, _ = early.Peek(5)
	done := make(chan struct{})
	go func() { relay(cl, early, up); close(done) }()

	go func() {
		_, _ = client.Write(toOrigin)
		_ = client.CloseWrite()
	}()
	got, err := io.ReadAll(client)
	if err != nil {
		t.Fatalf("client read: %v", err)
	}
	if sum(got) != sum(fromOrigin) {
		t.Errorf("client got %d bytes, want the origin's %d bytes unchanged", len(got), len(fromOrigin))
	}
	if b := <-gotAtOrigin; sum(b) != sum(append([]byte("EARLY"), toOrigin...)) {
		t.Errorf("origin got %d bytes, want EARLY then the client's %d bytes", len(b), len(toOrigin))
	}
	<-done
	if _, err := up.Write([]byte("x")); err == nil {
		t.Error("upstream connection still open after the relay ended")
	}
}

// TestSpliceCopy_Fallback: spliceCopy declines what is not a socket (and
// everything off Linux), so that pipe falls back to io.Copy.
func TestSpliceCopy_Fallback(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, handled, _ := spliceCopy(a, b); handled {
		t.Fatal("spliceCopy handled net.Pipe conns")
	}

	src, srcPeer := tcpPair(t)
	dst, dstPeer := tcpPair(t)
	go func() { _, _ = srcPeer.Write([]byte("hello")); _ = srcPeer.CloseWrite() }()
	n, handled, err := spliceCopy(dst, src)
	if handled != (runtime.GOOS == "linux") {
		t.Fatalf("spliceCopy(socket, socket) handled = %v on %s", handled, runtime.GOOS)
	}
	if !handled {
		return
	}
	if n != 5 || err != nil {
		t.Fatalf("spliceCopy = %d, %v; want 5, nil", n, err)
	}
	_ = dst.(*net.TCPConn).CloseWrite()
	if got, _ := io.ReadAll(dstPeer); string(got) != "hello" {
		t.Fatalf("spliced %q, want hello", got)
	}
}

// tcpPair returns both ends of a loopback TCP connection: the accepted one
// and the dialling one.
func tcpPair(t *testing.T) (net.Conn, *net.TCPConn) {
	t.Helper()
	ln := listen(t)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return s, c.(*net.TCPConn)
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }
