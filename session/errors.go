package session

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
// "unlock_required", "bad_request", "not_implemented").
func (e *Error) Code() string { return e.code }

// Sentinel errors. Errors returned by the Controller wrap one of them.
var (
	// ErrWrongState means the action does not apply in the current state.
	ErrWrongState = &Error{"wrong_state", "action not allowed in this state"}
	// ErrOutOfOrder means the last wipe failed: no session starts until a
	// wipe succeeds.
	ErrOutOfOrder = &Error{"out_of_order", "terminal out of order: the last wipe failed"}
	// ErrUnlockRequired means the session needs an agent's PIN. Agent
	// unlock comes with issue 5; until then such sessions cannot start.
	ErrUnlockRequired = &Error{"unlock_required", "an agent must unlock this session (agent PIN unlock is not available yet)"}
	// ErrInvalid means a bad argument (language, reason, answer, setting).
	ErrInvalid = &Error{"bad_request", "invalid value"}
)
