package allowlist

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem found in an allowlist file, located by line and
// column (both 1-based; 0 when unknown).
type Error struct {
	// File is the file name given to Parse.
	File string
	// Line and Col locate the problem; 0 when unknown.
	Line, Col int
	// Msg says what is wrong and, where it can, how to fix it.
	Msg string
}

// Error returns "file:line:col: msg".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Errors is every problem found in a file, in file order. Parse returns
// all of them at once so that IT can fix a file in one pass.
type Errors []*Error

// Error returns one "file:line:col: msg" line per problem.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// sortErrors orders errs by position, keeping discovery order for equal
// positions.
func sortErrors(errs Errors) {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}
