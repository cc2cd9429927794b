package tests

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/push/status"
)

// progressConfig has a target slowed by its pipe command, so that the
// push lasts long enough to show progress on the way.
func progressConfig(t *testing.T, e pushEnv) string {
	return writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec", PipeCmd = "sleep 0.3; cat" })
table.insert(Config.Target, { Desc = "tcp", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec", FilterBPF = "tcp" })
return Config
`, e.out+"/all", e.out+"/tcp"))
}

// chunkBytes is the size of a stored capture's chunks.
func chunkBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	for _, f := range files(t, dir) {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil && !strings.HasPrefix(f, ".") {
			n += st.Size()
		}
	}
	return n
}

// TestPushOfflineProgressLines: without a terminal, one line per target
// every interval, the bytes read growing to the capture's chunk bytes,
// then how each target ended.
func TestPushOfflineProgressLines(t *testing.T) {
	e := newPushEnv(t)
	storedCapture(t, e, "cap1", "--seed", "42", "--start", "2021-05-24T09:50:30Z", "--duration", "4m", "--size", "24MB")
	total := status.Bytes(chunkBytes(t, filepath.Join(e.store, "cap1")))
	cfg := progressConfig(t, e)
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1", "--progress-interval", "100ms")...)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	stderr := string(res.Stderr)
	line := regexp.MustCompile(`(?m)^push_realtime: all: ([\d.]+ [kMG]?B) of ` + regexp.QuoteMeta(total) + ` \((\d+)%\), (\d+) splits, [\d.]+ [kMG]?B/s, ETA (\S+)$`)
	partial, last := 0, -1
	for _, m := range line.FindAllStringSubmatch(stderr, -1) {
		pct, _ := strconv.Atoi(m[2])
		if pct < last {
			t.Errorf("progress went back from %d%% to %d%%:\n%s", last, pct, stderr)
		}
		last = pct
		if pct > 0 && pct < 100 {
			partial++
		}
	}
	if partial == 0 {
		t.Errorf("no line shows the push part way:\n%s", stderr)
	}
	splits := strconv.Itoa(len(splitFiles(t, e.out, "all_")))
	for _, re := range []string{
		`(?m)^push_realtime: all: ` + regexp.QuoteMeta(total) + ` of ` + regexp.QuoteMeta(total) + ` \(100%\), ` + splits + ` splits in [\d.]+s: finished capture cap1$`,
		`(?m)^push_realtime: tcp: ` + regexp.QuoteMeta(total) + ` of ` + regexp.QuoteMeta(total) + ` \(100%\), \d+ splits in [\d.]+s: finished capture cap1$`,
	} {
		if n := len(regexp.MustCompile(re).FindAllString(stderr, -1)); n != 1 {
			t.Errorf("%d lines match %s; want 1:\n%s", n, re, stderr)
		}
	}
	if strings.Contains(stderr, "\x1b[") {
		t.Errorf("escape sequences written to a file:\n%q", stderr)
	}
	res = testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1", "--progress", "none")...)
	if res.Code != 0 || strings.Contains(string(res.Stderr), "push_realtime: all:") {
		t.Errorf("--progress none: exit %d\n%s", res.Code, res.Stderr)
	}
}

// TestPushOfflineProgressBars: on a terminal, a bar per target redrawn in
// place, ending full with the splits published.
func TestPushOfflineProgressBars(t *testing.T) {
	e := newPushEnv(t)
	storedCapture(t, e, "cap1", "--seed", "43", "--start", "2021-05-24T09:50:30Z", "--duration", "4m", "--size", "24MB")
	total := chunkBytes(t, filepath.Join(e.store, "cap1"))
	cfg := progressConfig(t, e)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1")...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen bytes.Buffer
	read := make(chan error, 1)
	go func() {
		_, err := io.Copy(&screen, ptmx)
		read <- err
	}()
	werr := cmd.Wait()
	if err := <-read; err != nil && !errors.Is(err, os.ErrClosed) && !strings.Contains(err.Error(), "input/output error") {
		t.Fatal(err)
	}
	out := screen.String()
	if werr != nil {
		t.Fatalf("push_realtime: %v\n%s", werr, out)
	}
	size := fmt.Sprintf("%.1f MB", float64(total)/1e6)
	splits := strconv.Itoa(len(splitFiles(t, e.out, "all_")))
	for _, re := range []string{
		`all +\[=*>?-+\] +[\d.]+ [kM]?B / ` + regexp.QuoteMeta(size),
		`all +\[=+\] +` + regexp.QuoteMeta(size+" / "+size) + ` +done +` + splits + ` splits`,
		`tcp +\[=+\] +` + regexp.QuoteMeta(size+" / "+size) + ` +done +\d+ splits`,
		`\x1b\[\d+A`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the terminal lacks %q:\n%q", re, out)
		}
	}
	if strings.Contains(out, "push_realtime: all:") || stdout.Len() != 0 {
		t.Errorf("progress lines on a terminal, or output on stdout %q:\n%q", stdout.String(), out)
	}
}
