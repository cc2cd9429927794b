package redact

import "io"

// Writer passes each Write through Redact before writing it to W,
// for a tool's stderr when its arguments hold secrets. Messages are
// written whole by one Write each, so a secret is never cut in two.
type Writer struct {
	W      io.Writer
	Redact func(string) string
}

func (r Writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.W, r.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Error returns err with its message passed through redact; errors.Is
// and errors.As (and so the exit code) see err as before. nil stays nil.
func Error(err error, redact func(string) string) error {
	if err == nil {
		return nil
	}
	return redacted{err: err, redact: redact}
}

type redacted struct {
	err    error
	redact func(string) string
}

func (e redacted) Error() string { return e.redact(e.err.Error()) }
func (e redacted) Unwrap() error { return e.err }
