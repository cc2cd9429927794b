package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/output"
)

// TestOutputFlagsRoundTrip checks that output.Options.Flags, which
// push_realtime uses to run pcap_split, gives back the same options.
func TestOutputFlagsRoundTrip(t *testing.T) {
	tests := []output.Options{
		{},
		{Compress: "gzip:1"},
		{Rclone: true, RcloneConfig: "/etc/x.conf", Compress: "zstd", PipeCmd: "age -r KEY"},
		{Rclone: true, SweepAge: time.Hour},
		{Rclone: true, SweepAge: -1},
	}
	for _, want := range tests {
		args := append([]string{"pcap_split", "-o", "/x/", "--split-time", "60e9", "--filename-epoch-sec"}, want.Flags()...)
		var got output.Options
		app := &cli.App{Flags: flags(), Writer: io.Discard, ErrWriter: io.Discard, Action: func(c *cli.Context) error {
			o, err := options(c)
			if err == nil {
				got = outputOptions(c, o, nil)
			}
			return err
		}}
		if err := app.RunContext(context.Background(), args); err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
		if want.SweepAge == 0 {
			want.SweepAge = output.DefaultSweepAge
		}
		got.Suffix, got.NamesFinal, got.LogPrefix = "", false, ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: options differ (-want +got):\n%s", want.Flags(), diff)
		}
	}
}
