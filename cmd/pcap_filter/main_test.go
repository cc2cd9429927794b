package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/synth"
)

// TestRun drives run as main does: exit codes, messages, and the number of
// packets kept, for each way of giving the expression.
func TestRun(t *testing.T) {
	opt := synth.DefaultOptions()
	opt.Packets = 2000
	var in bytes.Buffer
	if _, err := synth.Generate(context.Background(), &in, opt); err != nil {
		t.Fatal(err)
	}
	exprFile := filepath.Join(t.TempDir(), "expr")
	if err := os.WriteFile(exprFile, []byte("tcp # all of it\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		code   int
		stderr string // a part of stderr
	}{
		{[]string{"--stats", "--bpf", "tcp"}, 0, "2000 packets in, "},
		{[]string{"--stats", "tcp"}, 0, "2000 packets in, "},
		{[]string{"--stats", "-F", exprFile}, 0, "2000 packets in, "},
		{[]string{"--bpf", ""}, 0, ""},
		{nil, 2, "no filter expression"},
		{[]string{"--bpf", "tcp", "-F", exprFile}, 2, "give the filter expression once"},
		{[]string{"tcp", "port"}, 2, `bad filter "tcp port": can't parse filter expression: syntax error`},
		{[]string{"--bpf", "inbound"}, 2, `stdin has link type EN10MB (Ethernet): bad filter "inbound"`},
		{[]string{"-F", exprFile + ".missing"}, 2, "no such file"},
		{[]string{"--bpf", "tcp", "--compiled", "1:2,6 0 0 0"}, 2, "--compiled: compiled program: the count"},
		{[]string{"--bpf", "tcp", "--compiled", "1:1,6 0 0 0"}, 0, ""}, // an Ethernet program dropping all: used as given
		{[]string{"--bpf", strings.Repeat("port 1 or ", 500) + "port 2"}, 2, "over the 4096-byte limit"},
	}
	var kept string
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{tool}, tt.args...), bytes.NewReader(in.Bytes()), &stdout, &stderr)
		code := exitcode.Report(&stderr, tool, err)
		if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
		}
		if strings.Contains(strings.Join(tt.args, " "), "1:1,6 0 0 0") && stdout.Len() != 24 {
			t.Errorf("%q: %d bytes out; want the header alone (the given program drops every packet)", tt.args, stdout.Len())
		}
		if code != 0 && stdout.Len() != 0 {
			t.Errorf("%q: %d bytes written on failure", tt.args, stdout.Len())
		}
		if strings.Contains(stderr.String(), "packets in") {
			if kept != "" && stderr.String() != kept {
				t.Errorf("%q: %q; the other ways gave %q", tt.args, stderr.String(), kept)
			}
			kept = stderr.String()
		}
	}
	if kept == "" || strings.Contains(kept, " 0 kept") || strings.Contains(kept, "2000 kept") {
		t.Errorf("stats %q: want some packets kept, not all", kept)
	}
}
