// Package paraph holds Paraph's domain: the types every layer shares, the error
// type with its codes, and the pure rules (identifier checks, policies,
// statuses). It imports only the standard library and does no I/O.
package paraph

import (
	"errors"
	"fmt"
)

// Error codes: the class of an error. One place (the HTTP layer) maps them to
// statuses; nothing else looks at HTTP.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	ETOOMANY      = "rate_limited"
	EINTERNAL     = "internal"
)

// Error is the one error type of Paraph. Code is the class; Reason is a stable,
// finer identifier (e.g. "weak_password") that clients and translations key on;
// Message is safe to show to a user (English; the UI translates by Reason);
// Field names the input the error is about, when there is one. Err keeps the
// internal cause for the log and is never shown.
type Error struct {
	Code    string
	Reason  string
	Message string
	Field   string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a code and a formatted safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one input field.
func Invalid(field, reason, message string) *Error {
	return &Error{Code: EINVALID, Reason: reason, Field: field, Message: message}
}

// Internal wraps an unexpected cause; its message to users stays generic.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Reason: "internal", Message: "Internal error.", Err: err}
}

// ErrorCode returns the code of err: the Code of an *Error in its chain,
// EINTERNAL for any other non-nil error, "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// AsError returns the *Error in err's chain, or an internal one wrapping err.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// ErrorReason returns the Reason of an *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// withField returns a copy of an *Error about another input field.
func withField(err error, field string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Field = field
	return &c
}
