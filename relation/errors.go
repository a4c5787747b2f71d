package relation

import (
	"errors"
	"fmt"
)

// Error kinds, to be tested with errors.Is. The error values returned carry
// the model, the field and a message worded for the person who has to fix
// the call or the schema.
var (
	// ErrSchema: the schema is invalid.
	ErrSchema = errors.New("invalid schema")
	// ErrValidation: a record's field has a wrong value.
	ErrValidation = errors.New("invalid field value")
	// ErrIntegrity: a record points at a parent that is not stored.
	ErrIntegrity = errors.New("data integrity error")
	// ErrCondition: a conditional save or delete found the stored record
	// not matching.
	ErrCondition = errors.New("conditional update failed")
	// ErrRestrict: a delete was refused by a restrict policy.
	ErrRestrict = errors.New("delete restricted")
	// ErrUsage: a call was made with wrong arguments.
	ErrUsage = errors.New("invalid call")
)

// SchemaError is a problem in the schema, with where it is.
type SchemaError struct {
	Type, Field string
	Line, Col   int // 0 when the schema came without positions
	Msg         string
}

func (e *SchemaError) Error() string {
	where := e.Type
	if e.Field != "" {
		where += "." + e.Field
	}
	pos := ""
	if e.Line > 0 {
		pos = fmt.Sprintf("line %d, column %d: ", e.Line, e.Col)
	}
	if where != "" {
		where += ": "
	}
	return "Invalid schema: " + pos + where + e.Msg
}

func (e *SchemaError) Unwrap() error { return ErrSchema }

// UserError is an error in a call or a record, with the message Amplify
// DataStore gives for it where there is one.
type UserError struct {
	Kind error
	Msg  string
}

func (e *UserError) Error() string { return e.Msg }
func (e *UserError) Unwrap() error { return e.Kind }

//go:noinline
func userErr(kind error, format string, args ...any) error {
	return &UserError{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// maxQuoted is how much of a value a message quotes: enough to recognise
// it, never the whole of a large one (megabytes have been seen).
const maxQuoted = 300

// clip cuts a quoted value for a message to maxQuoted characters, saying
// how long it was.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == maxQuoted {
			return fmt.Sprintf("%s… (%d characters in all)", s[:i], len([]rune(s)))
		}
		n++
	}
	return s
}
