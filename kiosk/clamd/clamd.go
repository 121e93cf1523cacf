// Package clamd is a client of ClamAV's daemon over its local socket: it
// streams bytes to clamd with the INSTREAM command and reads the verdict.
// No Go client of clamd is kept up to date in the module proxy; the
// protocol is small (clamd(8), "INSTREAM").
package clamd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// chunkSize is the size of the INSTREAM chunks sent to clamd.
const chunkSize = 64 << 10

// defaultTimeout bounds one command when Client.Timeout is zero.
const defaultTimeout = time.Minute

// ErrUnavailable is wrapped by every error that means clamd could not give
// a verdict (no socket, no answer, an error reply): callers fail closed.
var ErrUnavailable = errors.New("clamd unavailable")

// Client talks to one clamd. It's safe for concurrent use: each call opens
// its own connection.
type Client struct {
	// Socket is the path of clamd's LocalSocket; must not be empty.
	Socket string
	// Timeout bounds one command, connection included; if zero, a minute.
	Timeout time.Duration
}

// Result is clamd's verdict on a stream.
type Result struct {
	// Threat is the name of the signature that matched, empty when the
	// bytes are clean.
	Threat string
}

// Ping asks clamd whether it answers.
func (c *Client) Ping(ctx context.Context) error {
	reply, err := c.command(ctx, "zPING\x00", nil)
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("%w: ping answered %q", ErrUnavailable, reply)
	}
	return nil
}

// Scan streams r to clamd and returns its verdict. An error wraps
// ErrUnavailable when clamd gave none (e.g. the stream exceeds its
// StreamMaxLength): the bytes must then be treated as not scanned.
func (c *Client) Scan(ctx context.Context, r io.Reader) (Result, error) {
	reply, err := c.command(ctx, "zINSTREAM\x00", r)
	if err != nil {
		return Result{}, err
	}
	// "stream: OK", "stream: Name FOUND", "INSTREAM size limit exceeded. ERROR".
	rest, ok := strings.CutPrefix(reply, "stream: ")
	switch {
	case ok && rest == "OK":
		return Result{}, nil
	case ok && strings.HasSuffix(rest, " FOUND"):
		return Result{Threat: strings.TrimSuffix(rest, " FOUND")}, nil
	}
	return Result{}, fmt.Errorf("%w: %q", ErrUnavailable, reply)
}

// command sends cmd, then r's bytes as INSTREAM chunks if r is not nil,
// and returns clamd's NUL-terminated reply.
func (c *Client) command(ctx context.Context, cmd string, r io.Reader) (string, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.Socket)
	if err != nil {
		return "", fmt.Errorf("%w: connecting: %w", ErrUnavailable, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(conn, cmd); err != nil {
		return "", fmt.Errorf("%w: sending command: %w", ErrUnavailable, err)
	}
	if r != nil {
		if err := sendChunks(conn, r); err != nil {
			// clamd may have answered (size limit) and closed: read it.
			if reply, rerr := readReply(conn); rerr == nil && reply != "" {
				return reply, nil
			}
			return "", err
		}
	}
	reply, err := readReply(conn)
	if err != nil {
		return "", fmt.Errorf("%w: reading reply: %w", ErrUnavailable, err)
	}
	return reply, nil
}

// sendChunks writes r as length-prefixed chunks and the zero-length end.
func sendChunks(w io.Writer, r io.Reader) error {
	buf := make([]byte, 4+chunkSize)
	for {
		n, err := io.ReadFull(r, buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, werr := w.Write(buf[:4+n]); werr != nil {
				return fmt.Errorf("%w: sending stream: %w", ErrUnavailable, werr)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading stream: %w", err)
		}
	}
	if _, err := w.Write([]byte{0, 0, 0, 0}); err != nil {
		return fmt.Errorf("%w: ending stream: %w", ErrUnavailable, err)
	}
	return nil
}

// readReply reads one NUL-terminated reply (at most 4 KiB).
func readReply(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4<<10))
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	} else if err == nil && len(b) == 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && len(b) == 0 {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
