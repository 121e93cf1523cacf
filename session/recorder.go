package session

import "time"

// Recorder receives the usage events of the controller; main adapts it to
// the usage store. It only ever gets counts and durations, never anything
// that identifies a resident.
//
// The controller calls it outside its own lock, one call at a time and in
// the order of the events. Its methods must not call the Controller.
type Recorder interface {
	// Started is called when a session starts.
	Started(at time.Time, supervised bool, lang string)
	// Ended is called when a session ends. It must be durable when it
	// returns nil (a power cut loses no completed session); an error is
	// logged by the controller.
	Ended(e End) error
	// Satisfaction is called with the end-of-session answer: "oui",
	// "en_partie" or "non" (a skipped question is not recorded).
	Satisfaction(answer string)
	// Help is called when a resident asks for help.
	Help()
	// Printed is called when a print job of the session was handed to the printer.
	Printed()
	// WipeFailed is called when the terminal goes out of order because a
	// wipe failed or was not reported in time.
	WipeFailed()
}

// End describes a finished session.
type End struct {
	// Reason is one of ReasonUser, ReasonIdle, ReasonTimeLimit,
	// ReasonAgent, ReasonCrash.
	Reason string
	// Started and Ended are the start and end times.
	Started, Ended time.Time
	// Active is Ended-Started minus Idle.
	Active time.Duration
	// Idle is the time spent idle: from the last activity to "Continuer"
	// or to the end, for each idle countdown of the session.
	Idle time.Duration
	// Supervised is true for an agent-supervised session.
	Supervised bool
	// Lang is the session language.
	Lang string
	// Sites are the names of the allowlist sites visited, sorted.
	Sites []string
	// Extensions is how many times an agent extended the session.
	Extensions int
	// Help is true when help was requested during the session.
	Help bool
}
