//go:build vm

package vmtest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"
)

// qmp is a client of QEMU's machine protocol: one JSON object a line over a
// unix socket, commands answered by {"return":…} or {"error":…}, with
// asynchronous {"event":…} lines in between (kept in events).
type qmp struct {
	mu     sync.Mutex
	conn   net.Conn
	r      *bufio.Reader
	events []string
}

// dialQMP connects to QEMU's QMP socket (retrying until QEMU has made it)
// and leaves the capabilities negotiation mode.
func dialQMP(path string, timeout time.Duration) (*qmp, error) {
	deadline := time.Now().Add(timeout)
	var conn net.Conn
	var err error
	for {
		conn, err = net.Dial("unix", path)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("connecting to QMP %s: %w", path, err)
		}
		time.Sleep(50 * time.Millisecond) // QEMU creates the socket at start: nothing to wait on
	}
	q := &qmp{conn: conn, r: bufio.NewReader(conn)}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := q.r.ReadBytes('\n'); err != nil { // the greeting
		conn.Close()
		return nil, fmt.Errorf("reading the QMP greeting: %w", err)
	}
	if err := q.do("qmp_capabilities", nil, nil); err != nil {
		conn.Close()
		return nil, err
	}
	return q, nil
}

// do runs one command and decodes its return value into out (when not nil).
func (q *qmp) do(cmd string, args, out any) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	req := map[string]any{"execute": cmd}
	if args != nil {
		req["arguments"] = args
	}
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", cmd, err)
	}
	_ = q.conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := q.conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("sending %s: %w", cmd, err)
	}
	for {
		line, err := q.r.ReadBytes('\n')
		if err != nil {
			return fmt.Errorf("reading the answer to %s: %w", cmd, err)
		}
		var resp struct {
			Event  string          `json:"event"`
			Return json.RawMessage `json:"return"`
			Error  *struct {
				Class string `json:"class"`
				Desc  string `json:"desc"`
			} `json:"error"`
		}
		if err := json.Unmarshal(line, &resp); err != nil {
			return fmt.Errorf("decoding the answer to %s: %w", cmd, err)
		}
		switch {
		case resp.Event != "":
			q.events = append(q.events, strings.TrimSpace(string(line)))
		case resp.Error != nil:
			return fmt.Errorf("%s: %s: %s", cmd, resp.Error.Class, resp.Error.Desc)
		default:
			if out != nil {
				if err := json.Unmarshal(resp.Return, out); err != nil {
					return fmt.Errorf("decoding the return of %s: %w", cmd, err)
				}
			}
			return nil
		}
	}
}

func (q *qmp) close() { q.conn.Close() }

// qga is a client of the QEMU guest agent (test image only) on its
// virtio-serial port. The port is a byte stream that outlives the agent
// (reboots): every call first synchronises with guest-sync-delimited, which
// discards what an earlier agent or call left behind.
type qga struct {
	path string
	conn net.Conn
	r    *bufio.Reader
}

// errNoAgent means the agent did not answer (not started yet, rebooting).
var errNoAgent = errors.New("guest agent not answering")

func (g *qga) reset() {
	if g.conn != nil {
		g.conn.Close()
	}
	g.conn, g.r = nil, nil
}

// sync (re)connects and synchronises within timeout.
func (g *qga) sync(timeout time.Duration) error {
	if g.conn == nil {
		c, err := net.Dial("unix", g.path)
		if err != nil {
			return fmt.Errorf("connecting to the guest agent's socket: %w", err)
		}
		g.conn, g.r = c, bufio.NewReader(c)
	}
	id := rand.Int64N(1 << 40)
	_ = g.conn.SetDeadline(time.Now().Add(timeout))
	// 0xff makes the agent drop a partial request; its answer to
	// guest-sync-delimited starts with 0xff, after which lines are clean.
	if _, err := fmt.Fprintf(g.conn, "\xff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":%d}}\n", id); err != nil {
		g.reset()
		return fmt.Errorf("%w: %w", errNoAgent, err)
	}
	for {
		if _, err := g.r.ReadBytes(0xff); err != nil {
			g.reset()
			return fmt.Errorf("%w: %w", errNoAgent, err)
		}
		line, err := g.r.ReadBytes('\n')
		if err != nil {
			g.reset()
			return fmt.Errorf("%w: %w", errNoAgent, err)
		}
		var resp struct {
			Return int64 `json:"return"`
		}
		if json.Unmarshal(bytes.TrimLeft(line, "\xff"), &resp) == nil && resp.Return == id {
			return nil
		}
	}
}

// call runs one agent command after a sync.
func (g *qga) call(cmd string, args, out any, timeout time.Duration) error {
	if err := g.sync(10 * time.Second); err != nil {
		return err
	}
	req := map[string]any{"execute": cmd}
	if args != nil {
		req["arguments"] = args
	}
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", cmd, err)
	}
	_ = g.conn.SetDeadline(time.Now().Add(timeout))
	if _, err := g.conn.Write(append(b, '\n')); err != nil {
		g.reset()
		return fmt.Errorf("sending %s: %w", cmd, err)
	}
	line, err := g.r.ReadBytes('\n')
	if err != nil {
		g.reset()
		return fmt.Errorf("reading the answer to %s: %w", cmd, err)
	}
	var resp struct {
		Return json.RawMessage `json:"return"`
		Error  *struct {
			Desc string `json:"desc"`
		} `json:"error"`
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		return fmt.Errorf("decoding the answer to %s (%q): %w", cmd, line, err)
	}
	if resp.Error != nil {
		return fmt.Errorf("%s: %s", cmd, resp.Error.Desc)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Return, out); err != nil {
			return fmt.Errorf("decoding the return of %s: %w", cmd, err)
		}
	}
	return nil
}

// execResult is what a command run in the guest printed and returned.
type execResult struct {
	Out, Err string
	Code     int
}

// exec runs bash -c script in the guest as root and waits for its end.
func (g *qga) exec(script string, timeout time.Duration) (execResult, error) {
	var started struct {
		PID int `json:"pid"`
	}
	args := map[string]any{"path": "/bin/bash", "arg": []string{"-c", script}, "capture-output": true}
	if err := g.call("guest-exec", args, &started, 20*time.Second); err != nil {
		return execResult{}, err
	}
	deadline := time.Now().Add(timeout)
	for {
		var st struct {
			Exited   bool   `json:"exited"`
			ExitCode int    `json:"exitcode"`
			Signal   int    `json:"signal"`
			OutData  string `json:"out-data"`
			ErrData  string `json:"err-data"`
		}
		if err := g.call("guest-exec-status", map[string]any{"pid": started.PID}, &st, 20*time.Second); err != nil {
			return execResult{}, err
		}
		if st.Exited {
			out, _ := base64.StdEncoding.DecodeString(st.OutData)
			errOut, _ := base64.StdEncoding.DecodeString(st.ErrData)
			code := st.ExitCode
			if st.Signal != 0 {
				code = 128 + st.Signal
			}
			return execResult{Out: string(out), Err: string(errOut), Code: code}, nil
		}
		if time.Now().After(deadline) {
			return execResult{}, fmt.Errorf("guest command still running after %s: %s", timeout, script)
		}
		time.Sleep(100 * time.Millisecond) // the agent has no completion event: poll
	}
}
