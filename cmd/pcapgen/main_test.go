package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/synth"
)

// countRecords returns the number of records in a nanosecond pcap stream,
// failing the test if the stream is malformed.
func countRecords(t *testing.T, data []byte) int {
	t.Helper()
	if len(data) < 24 || binary.LittleEndian.Uint32(data) != 0xa1b23c4d {
		t.Fatalf("output is not nanosecond little-endian pcap: % x", data[:min(len(data), 8)])
	}
	n := 0
	for rest := data[24:]; len(rest) > 0; n++ {
		if len(rest) < 16 || int(binary.LittleEndian.Uint32(rest[8:])) > len(rest)-16 {
			t.Fatalf("record %d truncated", n+1)
		}
		rest = rest[16+binary.LittleEndian.Uint32(rest[8:]):]
	}
	return n
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pcap")
	tests := []struct {
		args    []string
		code    int    // exit status report gives
		packets int    // records expected on stdout, or -1 for no output
		size    int    // exact size of stdout, or 0 for any
		file    string // file expected with that size instead of stdout
	}{
		{args: []string{"--packets", "10"}, packets: 10},
		{args: []string{"--size", "1MB"}, packets: -1, size: 1e6},
		{args: []string{"--size", "1e5", "-w", "-"}, packets: -1, size: 1e5},
		{args: []string{"--size", "512KiB", "-w", out}, packets: -1, size: 512 << 10, file: out},
		{args: []string{"--seed", "5", "--start", "1621849860", "--duration", "1s", "--encap", "0", "--packets", "100"}, packets: 100},
		{args: []string{"--start", "2021-01-01T00:00:00+01:00", "--write", "-", "--packets", "3"}, packets: 3},
		{args: nil, code: 2},
		{args: []string{"--packets", "1", "--size", "1MB"}, code: 2},
		{args: []string{"--packets", "0"}, code: 2},
		{args: []string{"--packets", "x"}, code: 2},
		{args: []string{"--size", "99"}, code: 2},
		{args: []string{"--size", "big"}, code: 2},
		{args: []string{"--encap", "1.5", "--packets", "1"}, code: 2},
		{args: []string{"--start", "soon", "--packets", "1"}, code: 2},
		{args: []string{"--duration", "-1s", "--packets", "1"}, code: 2},
		{args: []string{"--duration", "ten", "--packets", "1"}, code: 2},
		{args: []string{"--bogus"}, code: 2},
		{args: []string{"--packets", "1", "extra"}, code: 2},
		{args: []string{"--packets", "10", "-w", filepath.Join(dir, "missing", "x.pcap")}, code: 1},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"pcapgen"}, tc.args...), nil, &stdout, &stderr)
		if code := exitcode.Report(&bytes.Buffer{}, "pcapgen", err); code != tc.code {
			t.Errorf("pcapgen %q: exit %d (%v); want %d", tc.args, code, err, tc.code)
			continue
		}
		checkOutput(t, tc.args, stdout.Bytes(), stderr.String(), tc.code, tc.packets, tc.size, tc.file)
	}
}

func checkOutput(t *testing.T, args []string, stdout []byte, stderr string, code, packets, size int, file string) {
	t.Helper()
	if stderr != "" {
		t.Errorf("pcapgen %q: stderr %q; want none (run leaves reporting to exitcode.Report)", args, stderr)
	}
	if code != 0 || file != "" {
		if len(stdout) != 0 {
			t.Errorf("pcapgen %q: %d bytes on stdout; want none", args, len(stdout))
		}
	}
	if file != "" {
		fi, err := os.Stat(file)
		if err != nil || fi.Size() != int64(size) {
			t.Errorf("pcapgen %q: %s: %v, %v; want %d bytes", args, file, fi, err, size)
		}
		if _, err := os.Stat(file + ".pending"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("pcapgen %q: %s.pending left behind (%v)", args, file, err)
		}
		return
	}
	if packets >= 0 && code == 0 && countRecords(t, stdout) != packets {
		t.Errorf("pcapgen %q: %d packets; want %d", args, countRecords(t, stdout), packets)
	}
	if size > 0 && len(stdout) != size {
		t.Errorf("pcapgen %q: %d bytes; want %d", args, len(stdout), size)
	}
}

// TestRunIsThin checks that pcapgen writes exactly what lib/synth generates.
func TestRunIsThin(t *testing.T) {
	var stdout bytes.Buffer
	args := []string{"pcapgen", "--seed", "9", "--start", "1600000000.5", "--duration", "90s", "--encap", "0.3", "--size", "200kB"}
	if err := run(context.Background(), args, nil, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	opt := synth.Options{Seed: 9, Start: mustStart(t, "1600000000.5"), Duration: 90e9, Encap: 0.3, Size: 200e3}
	var want bytes.Buffer
	if _, err := synth.Generate(context.Background(), &want, opt); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdout.Bytes(), want.Bytes()) {
		t.Errorf("pcapgen %q differs from synth.Generate(%+v)", args[1:], opt)
	}
}

func mustStart(t *testing.T, s string) (ts time.Time) {
	t.Helper()
	ts, err := synth.ParseStart(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestRunFailures(t *testing.T) {
	errFull := errors.New("no space left on device")
	err := run(context.Background(), []string{"pcapgen", "--packets", "10"}, nil, failWriter{errFull}, &bytes.Buffer{})
	if !errors.Is(err, errFull) || exitcode.Report(&bytes.Buffer{}, "pcapgen", err) != 1 {
		t.Errorf("pcapgen to a failing stdout: %v; want %v, exit 1", err, errFull)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "x.pcap")
	err = run(ctx, []string{"pcapgen", "--packets", "100000", "-w", out}, nil, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("pcapgen interrupted: %v; want context.Canceled", err)
	}
	if m, _ := filepath.Glob(out + "*"); len(m) != 0 {
		t.Errorf("interrupted pcapgen left %q; want nothing", m)
	}
}

func TestReport(t *testing.T) {
	_, optErr := synth.ParseSize("12XB")
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{usagef("give exactly one of --packets and --size"), 2, "pcapgen: give exactly one of --packets and --size\nTry: pcapgen --help\n"},
		{&exitcode.UsageError{Err: optErr}, 2, "pcapgen: size \"12XB\": not a number (examples: 60e9, 1000000000, 1.5e9)\nTry: pcapgen --help\n"},
		{fmt.Errorf("flush: %w", errors.New("write /dev/stdout: broken pipe")), 1, "pcapgen: flush: write /dev/stdout: broken pipe\n"},
	}
	for _, tc := range tests {
		var stderr bytes.Buffer
		if code := exitcode.Report(&stderr, "pcapgen", tc.err); code != tc.code || stderr.String() != tc.stderr {
			t.Errorf("report(%v) = %d, %q; want %d, %q", tc.err, code, stderr.String(), tc.code, tc.stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"pcapgen", "--help"}, nil, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatalf("pcapgen --help: %v", err)
	}
	help := stdout.String()
	if !strings.Contains(help, synopsis) || strings.Count(help, "\n   pcapgen --") != 2 {
		t.Errorf("pcapgen --help lacks the synopsis or two examples:\n%s", help)
	}
	// one of --packets and --size is required: neither shows a default
	for _, l := range strings.Split(help, "\n") {
		if (strings.HasPrefix(l, "   --packets N") || strings.HasPrefix(l, "   --size BYTES")) && (strings.Contains(l, "default") || !strings.Contains(l, "required")) {
			t.Errorf("pcapgen --help: %q; want no default and the choice named", l)
		}
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"pcapgen", "--version"}, nil, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatalf("pcapgen --version: %v", err)
	}
	if got := stdout.String(); got != "pcapgen version dev\n" {
		t.Errorf("pcapgen --version printed %q; want %q", got, "pcapgen version dev\n")
	}
}

// TestBinary builds pcapgen with a stamped version and runs it like a user.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pcapgen")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build with: %v", err)
	}
	build := exec.Command(goTool, "build", "-ldflags", "-X github.com/pcappush/pcappush/lib/cliapp.Version=v9.9.9-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		args   []string
		code   int
		stdout string // prefix
		stderr string // exact
	}{
		{[]string{"--version"}, 0, "pcapgen version v9.9.9-test\n", ""},
		{[]string{"--packets", "5"}, 0, "\x4d\x3c\xb2\xa1", ""},
		{[]string{"--packets", "5", "--size", "1MB"}, 2, "", "pcapgen: give exactly one of --packets and --size\nTry: pcapgen --help\n"},
		{[]string{"--nope"}, 2, "", "pcapgen: flag provided but not defined: -nope\nTry: pcapgen --help\n"},
		{[]string{"--size", "1MB", "-w", filepath.Join(dir, "no", "x.pcap")}, 1, "",
			"pcapgen: open " + filepath.Join(dir, "no", "x.pcap.pending") + ": no such file or directory\n"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(bin, tc.args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if code != tc.code || !strings.HasPrefix(stdout.String(), tc.stdout) || stderr.String() != tc.stderr {
			t.Errorf("pcapgen %q: exit %d (%v), stdout %.40q, stderr %q; want %d, %q..., %q",
				tc.args, code, err, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
	checkFullDisk(t, bin)
}

// checkFullDisk checks that a failed write to stdout is exit status 1.
func checkFullDisk(t *testing.T, bin string) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Logf("no /dev/full, skipping the full disk case: %v", err)
		return
	}
	defer full.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--size", "10MB")
	cmd.Stdout, cmd.Stderr = full, &stderr
	_ = cmd.Run()
	want := "pcapgen: write packet "
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.HasPrefix(stderr.String(), want) ||
		!strings.HasSuffix(stderr.String(), ": write /dev/stdout: no space left on device\n") {
		t.Errorf("pcapgen > /dev/full: exit %d, stderr %q; want 1, %q...no space left on device", code, stderr.String(), want)
	}
}
