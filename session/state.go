package session

// State is the state of the terminal.
type State string

// The states, in the order a session goes through them.
const (
	// StateWelcome shows the welcome screen; no session is open.
	StateWelcome State = "welcome"
	// StateUnlock waits for an agent's PIN before a supervised session
	// (the keypad shows); Unlock opens it, Cancel or the unlock timeout
	// go back to welcome.
	StateUnlock State = "unlock"
	// StateActive is an open session.
	StateActive State = "active"
	// StateCountdown is an open session showing the idle countdown.
	StateCountdown State = "countdown"
	// StateEnding is a finished session asking the satisfaction question.
	StateEnding State = "ending"
	// StateWiping waits for the shell to end the browser process and
	// remove its profile.
	StateWiping State = "wiping"
	// StateOutOfOrder follows a failed wipe; only a successful wipe leaves it.
	StateOutOfOrder State = "out_of_order"
)

// inSession reports whether s is an open session.
func (s State) inSession() bool { return s == StateActive || s == StateCountdown }

// End reasons.
const (
	ReasonUser      = "user"
	ReasonIdle      = "idle"
	ReasonTimeLimit = "timelimit"
	ReasonAgent     = "agent"
	ReasonCrash     = "crash"
)

// Satisfaction answers.
const (
	AnswerYes     = "oui"
	AnswerPartly  = "en_partie"
	AnswerNo      = "non"
	AnswerSkipped = "skip"
)

func validReason(r string) bool {
	switch r {
	case ReasonUser, ReasonIdle, ReasonTimeLimit, ReasonAgent, ReasonCrash:
		return true
	}
	return false
}

func validAnswer(a string) bool {
	switch a {
	case AnswerYes, AnswerPartly, AnswerNo, AnswerSkipped:
		return true
	}
	return false
}

// asksSatisfaction reports whether the question is shown after an end for
// reason r: not after idle (nobody is there) nor crash (no browser).
func asksSatisfaction(r string) bool { return r != ReasonIdle && r != ReasonCrash }
