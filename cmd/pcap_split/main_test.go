package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/config"
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

// TestPrefixPlaceholders: {host} in -o is --host (else the short host
// name); {desc}, {capture} and unknown placeholders are usage errors.
func TestPrefixPlaceholders(t *testing.T) {
	short, herr := config.ShortHostname()
	tests := []struct {
		args []string
		want string // the prefix, or a part of the error
		ok   bool
	}{
		{[]string{"-o", "/x/{host}/all", "--host", "sensor7"}, "/x/sensor7/all", true},
		{[]string{"-o", "/x/all", "--host", "sensor7"}, "/x/all", true},
		{[]string{"-o", "/x/{host}/all", "--host", "a/b"}, `--host: host name "a/b" is not a plain file-name component`, false},
		{[]string{"-o", "/x/{desc}/all", "--host", "s"}, `-o "/x/{desc}/all": {desc} has no value here`, false},
		{[]string{"-o", "/x/{capture}/all"}, `{capture} has no value here`, false},
		{[]string{"-o", "/x/{hots}/all"}, `unknown placeholder {hots}`, false},
	}
	if herr == nil {
		tests = append(tests, struct {
			args []string
			want string
			ok   bool
		}{[]string{"-o", "/x/{host}/all"}, "/x/" + short + "/all", true})
	}
	for _, tt := range tests {
		args := append([]string{"pcap_split", "--split-time", "60e9", "--filename-epoch-sec"}, tt.args...)
		var got string
		app := &cli.App{Flags: flags(), Writer: io.Discard, ErrWriter: io.Discard, Action: func(c *cli.Context) error {
			o, err := options(c)
			got = o.Prefix
			return err
		}}
		err := app.RunContext(context.Background(), args)
		switch {
		case tt.ok && (err != nil || got != tt.want):
			t.Errorf("%s: prefix %q, %v; want %q", strings.Join(tt.args, " "), got, err, tt.want)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v; want an error containing %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}
