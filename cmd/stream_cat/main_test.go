package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// store makes a store with one capture of n packets.
func store(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "c1"), 0o755)
	var b bytes.Buffer
	w := pcapio.NewWriter(&b, 1, 0)
	w.WriteHeader()
	for i := 0; i < n; i++ {
		w.WritePacket(1621849860e9+int64(i)*1e6, 3, []byte("abc"))
	}
	w.Flush()
	os.WriteFile(filepath.Join(dir, "c1", "a.pcap"), b.Bytes(), 0o644)
	return dir
}

func TestRun(t *testing.T) {
	dir := store(t, 10)
	tests := []runCase{
		{"cat", []string{"--store", dir, "c1"}, 0, "\x4d\x3c\xb2\xa1", ""},
		{"uid", []string{"--store", dir, "--uid", "push_1", "--state-dir", t.TempDir(), "c1"}, 0, "\x4d\x3c\xb2\xa1", "stream_cat UID [push_1]\n"},
		{"list", []string{"--store", dir, "--list"}, 0, "CAPTURE  CHUNKS  BYTES  FIRST", ""},
		{"verbose", []string{"--store", dir, "-v", "c1"}, 0, "\x4d", "stream_cat: done: 1 chunks, 10 packets, 0.000 GB, 0 ticks, 0 chunks lost, 0 skipped"},
		{"usage", []string{"--store", dir}, 2, "", "no capture given"},
		{"resume time", []string{"--store", dir, "--uid", "u", "--resume", "soon", "c1"}, 2, "", `--resume "soon": not a number`},
		{"negative lag", []string{"--store", dir, "--tick-lag", "-1s", "c1"}, 2, "", "must not be negative"},
		{"not found", []string{"--store", dir, "c2"}, 1, "", `capture "c2" not found`},
	}
	runCases(t, tests)
}

// epipe is a stdout whose reader has gone.
type epipe struct{}

func (epipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestClosedStdout: a closed downstream ends stream_cat without a word.
func TestClosedStdout(t *testing.T) {
	dir := store(t, 100000)
	var errb bytes.Buffer
	err := run(context.Background(), []string{"stream_cat", "--store", dir, "c1"}, nil, epipe{}, &errb)
	if err != nil || errb.Len() != 0 {
		t.Errorf("run = %v, stderr %q; want nil and nothing", err, errb.String())
	}
}

// TestFrom reads and lists splits published under two sensors' folders,
// and refuses the flags that only mean something for a capture.
func TestFrom(t *testing.T) {
	dir := t.TempDir()
	for i, s := range []string{"s1", "s2"} {
		os.MkdirAll(filepath.Join(dir, s), 0o755)
		var b bytes.Buffer
		w := pcapio.NewWriter(&b, 1, 0)
		w.WriteHeader()
		for k := 0; k < 10; k++ {
			w.WritePacket(1621849860e9+int64(k)*1e8+int64(i), 3, []byte("abc"))
		}
		w.Flush()
		os.WriteFile(filepath.Join(dir, s, "all_1621849860.pcap"), b.Bytes(), 0o644)
	}
	conf := filepath.Join(dir, "rclone.conf")
	os.WriteFile(conf, []byte("[disk]\ntype = local\n"), 0o600)
	from := dir + "/*/all"
	tests := []runCase{
		{"read", []string{"--from", from, "--start-time", "1621849860.2", "--end-time", "1621849860.5", "-v"}, 0, "\x4d\x3c\xb2\xa1", "stream_cat: done: 2 sources, 2 splits (0.000 GB as stored), 0 skipped, 6 packets"},
		{"remote", []string{"--from", "disk:" + from, "--rclone-config", conf}, 0, "\x4d\x3c\xb2\xa1", ""},
		{"list", []string{"--list", "--from", from}, 0, "FOLDER  ", ""},
		{"nothing", []string{"--from", dir + "/none/all"}, 0, "\x4d\x3c\xb2\xa1", "warning: no split of"},
		{"capture too", []string{"--from", from, "c1"}, 2, "", `--from reads published splits, not a capture: got "c1" too`},
		{"follow", []string{"--from", from, "--follow"}, 2, "", "--follow is for reading a capture"},
		{"rclone config alone", []string{"--rclone-config", conf, "c1"}, 2, "", "--rclone-config needs --from"},
		{"bad time", []string{"--from", from, "--end-time", "soon"}, 2, "", `--end-time "soon": not a time`},
		{"star leaf", []string{"--from", dir + "/*"}, 2, "", "'*' matches folders only"},
		{"unknown remote", []string{"--from", "nope:pcap/all", "--rclone-config", conf}, 2, "", `rclone remote "nope" is not defined`},
	}
	runCases(t, tests)
}

// runCase is a command line and what it must do.
type runCase struct {
	name   string
	args   []string
	code   int
	stdout string // prefix
	stderr string // substring
}

func runCases(t *testing.T, tests []runCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), append([]string{"stream_cat"}, tc.args...), nil, &out, &errb)
			code := exitcode.Report(&errb, "stream_cat", err)
			if code != tc.code || !strings.HasPrefix(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("exit %d, stdout %q..., stderr %q; want %d, %q, %q", code, out.String()[:min(out.Len(), 40)], errb.String(), tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
