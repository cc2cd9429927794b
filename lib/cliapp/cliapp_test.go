package cliapp

import (
	"bytes"
	"context"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/exitcode"
)

func TestNewAppTurnsFlagMistakesIntoUsageErrors(t *testing.T) {
	var out, errb bytes.Buffer
	app := NewApp("tool", "test", &out, &errb)
	app.Flags = []cli.Flag{&cli.IntFlag{Name: "n"}}
	app.Action = func(*cli.Context) error { return nil }
	for _, args := range [][]string{{"tool", "--nope"}, {"tool", "--n", "x"}} {
		if err := app.RunContext(context.Background(), args); !exitcode.IsUsage(err) {
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
	if err := app.RunContext(context.Background(), []string{"tool", "-v"}); !exitcode.IsUsage(err) || out.Len() != 0 {
		t.Errorf("-v: %v, %q; want a usage error and no version", err, out.String())
	}
}
