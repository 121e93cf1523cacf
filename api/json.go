package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxBody is the largest request body accepted.
const maxBody = 4 << 10

// errorBody is the JSON form of an error.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	// RetryAfter is set with code "locked": seconds before the keypad
	// takes a PIN again.
	RetryAfter int `json:"retry_after_s,omitempty"`
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Error: "encoding the answer: " + err.Error(), Code: "internal"})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError writes an error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Code: code})
}

// statusOf maps the code of a controller error to an HTTP status.
var statusOf = map[string]int{
	"bad_request":     http.StatusBadRequest,
	"wrong_state":     http.StatusConflict,
	"out_of_order":    http.StatusConflict,
	"unlock_required": http.StatusConflict,
	"maintenance":     http.StatusServiceUnavailable,
	"not_implemented": http.StatusNotImplemented,
	"not_found":       http.StatusNotFound,
	"wrong_pin":       http.StatusForbidden,
	"locked":          http.StatusTooManyRequests,
}

// writeControllerError writes err, which should carry a Code() method.
func (h *Handler) writeControllerError(w http.ResponseWriter, err error) {
	var coded interface{ Code() string }
	if errors.As(err, &coded) {
		if st, ok := statusOf[coded.Code()]; ok {
			body := errorBody{Error: err.Error(), Code: coded.Code()}
			var retry interface{ RetryAfter() time.Duration }
			if errors.As(err, &retry) {
				body.RetryAfter = int((retry.RetryAfter() + time.Second - 1) / time.Second)
				w.Header().Set("Retry-After", strconv.Itoa(body.RetryAfter))
			}
			writeJSON(w, st, body)
			return
		}
	}
	h.log.Error("session action", "err", err)
	writeError(w, http.StatusInternalServerError, "internal", err.Error())
}

// decode reads r's JSON body into v: at most maxBody bytes, no unknown
// fields, nothing after the value. An empty body leaves v unchanged.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding body: %w", err)
	}
	if dec.More() {
		return errors.New("decoding body: data after the JSON value")
	}
	return nil
}
