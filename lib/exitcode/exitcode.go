package exitcode

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes shared by all tools.
const (
	OK      = 0
	Failure = 1 // runtime failure: I/O, corrupt input, upload
	Usage   = 2 // bad flags, bad config, bad filter
)

// UsageError is a mistake in how a tool was invoked or configured.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is, or wraps, a *UsageError.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}

// Code maps an error to the exit code: nil 0, usage 2, anything else 1.
func Code(err error) int {
	switch {
	case err == nil:
		return OK
	case IsUsage(err):
		return Usage
	}
	return Failure
}

// Report prints err on w as `tool: message`, followed by the error's
// Detail lines when it has some (the place a filter is wrong), and for
// usage errors a `Try:` line: the error's own Hint when it has one (the
// manual of a filter's syntax), else `tool --help`. It returns the exit
// code.
func Report(w io.Writer, tool string, err error) int {
	if err == nil {
		return OK
	}
	fmt.Fprintf(w, "%s: %v\n", tool, err)
	var d interface{ Detail() string }
	if errors.As(err, &d) && d.Detail() != "" {
		fmt.Fprintln(w, d.Detail())
	}
	if IsUsage(err) {
		var h interface{ Hint() string }
		if errors.As(err, &h) && h.Hint() != "" {
			fmt.Fprintf(w, "Try: %s\n", h.Hint())
		} else {
			fmt.Fprintf(w, "Try: %s --help\n", tool)
		}
	}
	return Code(err)
}
