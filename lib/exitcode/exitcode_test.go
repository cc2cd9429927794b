package exitcode

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestReportAndCodes(t *testing.T) {
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{Usagef("bad %s", "flag"), 2, "tool: bad flag\nTry: tool --help\n"},
		{fmt.Errorf("config: %w", Usagef("unknown field")), 2, "tool: config: unknown field\nTry: tool --help\n"},
		{errors.New("write x: no space left on device"), 1, "tool: write x: no space left on device\n"},
		{&UsageError{Err: fmt.Errorf("FilterBPF: %w", hinted{})}, 2, "tool: FilterBPF: bad word\n  one bad word\n      ^^^\nTry: man 7 pcap-filter\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if code := Report(&b, "tool", tt.err); code != tt.code || b.String() != tt.stderr || Code(tt.err) != tt.code {
			t.Errorf("Report(%v) = %d, %q; want %d, %q", tt.err, code, b.String(), tt.code, tt.stderr)
		}
	}
}

// hinted is an error with its own advice and detail lines.
type hinted struct{}

func (hinted) Error() string  { return "bad word" }
func (hinted) Hint() string   { return "man 7 pcap-filter" }
func (hinted) Detail() string { return "  one bad word\n      ^^^" }
