package cliutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestParseCount(t *testing.T) {
	tests := []struct {
		in    string
		units bool
		want  int64
		ok    bool
	}{
		{"60e9", false, 60e9, true},
		{"1e9", false, 1e9, true},
		{"1.5e9", false, 1.5e9, true},
		{"1000000000", false, 1e9, true},
		{"9007199254740993", false, 9007199254740993, true}, // beyond float64's exact integers
		{" 5 ", false, 5, true},
		{"1.5", false, 0, false},
		{"0", false, 0, false},
		{"-60e9", false, 0, false},
		{"60x9", false, 0, false},
		{"", false, 0, false},
		{"1e30", false, 0, false},
		{"1GB", false, 0, false},
		{"1GB", true, 1e9, true},
		{"512MB", true, 512e6, true},
		{"1GiB", true, 1 << 30, true},
		{"64k", true, 64e3, true},
		{"100B", true, 100, true},
		{"1e9", true, 1e9, true},
		{"1.5KiB", true, 1536, true},
		{"0.1B", true, 0, false},
		{"12XB", true, 0, false},
		{"MB", true, 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCount(tt.in, tt.units)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCount(%q, %v) = %d, %v; want %d, ok=%v", tt.in, tt.units, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"60e9", "1GiB", "1.5e9", "-1", "0x10", "1/3", "9e18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseCount(s, true)
		if err != nil {
			return
		}
		if n <= 0 {
			t.Fatalf("ParseCount(%q) = %d", s, n)
		}
		if m, err := ParseCount(strconv.FormatInt(n, 10), false); err != nil || m != n {
			t.Fatalf("ParseCount(%d) = %d, %v", n, m, err)
		}
	})
}

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

func TestNewAppTurnsFlagMistakesIntoUsageErrors(t *testing.T) {
	var out, errb bytes.Buffer
	app := NewApp("tool", "test", &out, &errb)
	app.Flags = []cli.Flag{&cli.IntFlag{Name: "n"}}
	app.Action = func(*cli.Context) error { return nil }
	for _, args := range [][]string{{"tool", "--nope"}, {"tool", "--n", "x"}} {
		if err := app.RunContext(context.Background(), args); !IsUsage(err) {
			t.Errorf("%v: %v; want a usage error", args, err)
		}
	}
	out.Reset()
	for _, flag := range []string{"--version", "-V"} {
		out.Reset()
		if err := app.RunContext(context.Background(), []string{"tool", flag}); err != nil || out.String() != "tool version dev\n" {
			t.Errorf("%s: %v, %q", flag, err, out.String())
		}
	}
	// -v is --verbose where a tool has it, never the version
	out.Reset()
	if err := app.RunContext(context.Background(), []string{"tool", "-v"}); !IsUsage(err) || out.Len() != 0 {
		t.Errorf("-v: %v, %q; want a usage error and no version", err, out.String())
	}
}
