package session

import (
	"fmt"
	"time"
)

// Error is a session error with a stable, machine-readable code. The local
// API maps codes to HTTP statuses; callers test errors with errors.Is
// against the sentinels below.
type Error struct {
	code string
	msg  string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.msg }

// Code returns the stable code of e ("wrong_state", "out_of_order",
// "unlock_required", "maintenance", "bad_request", "not_found", "wrong_pin", "locked").
func (e *Error) Code() string { return e.code }

// Sentinel errors. Errors returned by the Controller wrap one of them.
var (
	// ErrWrongState means the action does not apply in the current state.
	ErrWrongState = &Error{"wrong_state", "action not allowed in this state"}
	// ErrOutOfOrder means the last wipe failed: no session starts until a
	// wipe succeeds.
	ErrOutOfOrder = &Error{"out_of_order", "terminal out of order: the last wipe failed"}
	// ErrMaintenance means the terminal is drained for maintenance (a
	// restart or reboot in the maintenance window): no session starts.
	ErrMaintenance = &Error{"maintenance", "terminal under maintenance: it restarts in a few seconds"}
	// ErrUnlockRequired means the session needs an agent's PIN but no
	// PIN check is configured (Config.CheckPIN is nil).
	ErrUnlockRequired = &Error{"unlock_required", "an agent must unlock this session"}
	// ErrWrongPIN means the PIN typed is no agent's PIN.
	ErrWrongPIN = &Error{"wrong_pin", "wrong PIN"}
	// ErrLocked means the keypad is locked after too many wrong PINs;
	// the error is a *LockoutError that says for how long.
	ErrLocked = &Error{"locked", "too many wrong PINs: the keypad is locked"}
	// ErrNotFound means no such help request.
	ErrNotFound = &Error{"not_found", "not found"}
	// ErrInvalid means a bad argument (language, reason, answer, setting).
	ErrInvalid = &Error{"bad_request", "invalid value"}
)

// LockoutError is returned while the keypad is locked. It wraps ErrLocked.
type LockoutError struct {
	// Until is when the keypad unlocks.
	Until time.Time
	// Retry is the time left, rounded up to the second.
	Retry time.Duration
}

// Error implements the error interface.
func (e *LockoutError) Error() string {
	return fmt.Sprintf("too many wrong PINs: the keypad is locked for %s", e.Retry)
}

// Unwrap returns ErrLocked.
func (e *LockoutError) Unwrap() error { return ErrLocked }

// Code returns "locked".
func (e *LockoutError) Code() string { return ErrLocked.code }

// RetryAfter returns the time left before the next attempt.
func (e *LockoutError) RetryAfter() time.Duration { return e.Retry }
