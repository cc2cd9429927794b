package tests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/loopback"
	"github.com/pcappush/pcappush/internal/testutil"
)

// remote is a loopback storage server and how pcap_split reaches it.
type remote struct {
	kind    string
	name    string // remote name in the config
	conf    string // the config section
	srv     *loopback.Server
	store   string // where the server keeps what it receives
	s3      *loopback.S3
	ftpRoot string                     // the path FTP clients use for store
	restart func(t *testing.T) *remote // a new server over the same storage
}

// prefix is the reference system's form of the output prefix for folder
// sub with names starting "all".
func (r *remote) prefix(sub string) string {
	switch r.kind {
	case "s3":
		return r.name + "://pcap/" + sub + "/all"
	case "ftp":
		return r.name + "://" + strings.TrimPrefix(filepath.Join(r.ftpRoot, "pub", sub), "/") + "/all"
	}
	return r.name + "://" + strings.TrimPrefix(filepath.Join(r.store, sub), "/") + "/all"
}

// dir is the local folder where the server stores folder sub.
func (r *remote) dir(sub string) string {
	switch r.kind {
	case "s3":
		return filepath.Join(r.store, "pcap", sub)
	case "ftp":
		return filepath.Join(r.store, "pub", sub)
	}
	return filepath.Join(r.store, sub)
}

// startRemote starts a server of kind (s3, sftp, ftp), skipping in -short
// mode and when the server is not installed (failing under CI).
func startRemote(t *testing.T, kind string) *remote {
	t.Helper()
	if testing.Short() {
		t.Skip("server tests skipped in -short mode")
	}
	return startRemoteIn(t, kind, t.TempDir(), "")
}

func startRemoteIn(t *testing.T, kind, dir, store string) *remote {
	t.Helper()
	r := &remote{kind: kind}
	var err error
	switch kind {
	case "s3":
		r.name = "s3-fmad"
		r.s3, err = loopback.StartS3(dir)
		if err == nil {
			r.srv, r.store, r.conf = r.s3.Server, r.s3.Dir, r.s3.RcloneConfig(r.name)
			if store == "" { // a new server: make the bucket through S3
				err = r.s3.CreateBucket("pcap")
			}
		}
	case "sftp":
		r.name = "ssh"
		var s *loopback.SFTP
		if s, err = loopback.StartSFTP(dir); err == nil {
			r.srv, r.conf = s.Server, s.RcloneConfig(r.name)
			r.store = store
			if store == "" {
				r.store = t.TempDir()
			}
		}
	case "ftp":
		r.name = "ftp-store"
		var s *loopback.FTP
		if s, err = loopback.StartFTP(dir); err == nil {
			r.srv, r.store, r.ftpRoot, r.conf = s.Server, s.Dir, s.Root, s.RcloneConfig(r.name)
		}
	}
	if err != nil {
		if os.Getenv("PCAPPUSH_REQUIRE_TOOLS") == "" && strings.Contains(err.Error(), loopback.ErrMissing.Error()) {
			t.Skipf("%s server: %v", kind, err)
		}
		t.Fatalf("%s server: %v", kind, err)
	}
	t.Cleanup(r.srv.Stop)
	r.restart = func(t *testing.T) *remote {
		next := dir
		if kind == "sftp" {
			next = t.TempDir() // new keys; the files are the machine's
		}
		return startRemoteIn(t, kind, next, r.store)
	}
	return r
}

// writeConf writes an rclone config file and returns its path.
func writeConf(t *testing.T, sections ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(p, []byte(strings.Join(sections, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// splitProc is a running pcap_split.
type splitProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer
	done   chan struct{}
}

// lockedBuffer is a bytes.Buffer a test may read while a command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSplit starts pcap_split with extra environment variables.
func startSplit(t *testing.T, env []string, args ...string) *splitProc {
	t.Helper()
	cmd := exec.Command(testutil.Tool(t, "pcap_split"), args...)
	cmd.Env = append(os.Environ(), env...)
	p := &splitProc{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait() //nolint:errcheck // the exit code is read from ProcessState
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait closes stdin and returns the exit code, failing after timeout.
func (p *splitProc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("pcap_split still running after %v:\n%s", timeout, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// splitWith runs pcap_split on the file in to the end.
func splitWith(t *testing.T, in string, env []string, args ...string) (int, string) {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	p := startSplit(t, env, args...)
	p.stdin.Write(b)
	code := p.wait(t, time.Minute)
	return code, p.stderr.String()
}

// minuteName is the --filename-tstr-HHMMSS name of the split of minute m
// (seconds since the epoch).
func minuteName(m int64, suffix string) string {
	return "all_" + time.Unix(m, 0).UTC().Format("20060102_150405") + suffix
}

// byMinute groups records by their UTC minute.
func byMinute(recs []rec) map[int64][]rec {
	out := map[int64][]rec{}
	for _, r := range recs {
		m := r.Time / 60e9 * 60
		out[m] = append(out[m], r)
	}
	return out
}

// decompress reads a split with the command-line tool of its suffix.
func decompress(t *testing.T, path string) []byte {
	t.Helper()
	tools := map[string][]string{".gz": {"gzip", "-dc"}, ".zst": {"zstd", "-dcq"}, ".lz4": {"lz4", "-dcq"}}
	tool, ok := tools[filepath.Ext(path)]
	if !ok {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return testutil.MustRun(t, nil, testutil.Need(t, tool[0]), append(tool[1:], path)...).Stdout
}

// checkMinutes checks that dir holds exactly one complete split per
// minute of want (restricted to minutes, when given), each equal packet
// for packet to the input's packets of that minute.
func checkMinutes(t *testing.T, dir, suffix string, want []rec, minutes ...int64) {
	t.Helper()
	groups := byMinute(want)
	if minutes == nil {
		for m := range groups {
			minutes = append(minutes, m)
		}
	}
	var names []string
	for _, m := range minutes {
		names = append(names, minuteName(m, suffix))
	}
	slices.Sort(names)
	got := files(t, dir)
	if !slices.Equal(got, names) {
		t.Fatalf("%s holds %v; want %v", dir, got, names)
	}
	for _, m := range minutes {
		name := minuteName(m, suffix)
		sameRecs(t, name, groups[m], parseRecs(t, name, decompress(t, filepath.Join(dir, name))))
	}
}

func TestRcloneUploads(t *testing.T) {
	in := gen(t, "--seed", "21", "--start", "2021-05-24T09:50:30Z", "--duration", "3m", "--size", "9MB")
	recs := readRecs(t, in)
	tests := []struct {
		kind string
		args []string
		sfx  string
	}{
		// the reference's S3 target: Mode "rclone", Path "s3-...://pcap/all",
		// PipeCmd "gzip -c", FileSuffix ".pcap.gz", tstr HHMMSS names
		{"s3", []string{"--pipe-cmd", "gzip -c", "--filename-suffix", ".pcap.gz"}, ".pcap.gz"},
		{"s3", []string{"--compress", "zstd:1"}, ".pcap.zst"},
		{"sftp", []string{"--compress", "gzip:1"}, ".pcap.gz"},
		{"sftp", []string{"--compress", "lz4"}, ".pcap.lz4"},
		{"ftp", []string{"--compress", "zstd"}, ".pcap.zst"},
		{"ftp", nil, ".pcap"},
	}
	servers := map[string]*remote{}
	for _, kind := range []string{"s3", "sftp", "ftp"} {
		servers[kind] = startRemote(t, kind)
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s %s", tt.kind, strings.Join(tt.args, " ")), func(t *testing.T) {
			r := servers[tt.kind]
			conf := writeConf(t, r.conf)
			before, _ := os.ReadFile(conf)
			sub := fmt.Sprintf("t%d", i)
			args := append([]string{"--rclone", "--rclone-config", conf, "-o", r.prefix(sub), "--split-time", "60e9", "--filename-tstr-HHMMSS"}, tt.args...)
			code, stderr := splitWith(t, in, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			checkMinutes(t, r.dir(sub), tt.sfx, recs)
			if !strings.Contains(stderr, r.prefix(sub)+"_20210524_095000"+tt.sfx+" : Total Bytes") {
				t.Errorf("progress does not name the remote split:\n%s", stderr)
			}
			if after, _ := os.ReadFile(conf); !bytes.Equal(before, after) {
				t.Errorf("the rclone config was rewritten:\n%s", after)
			}
		})
	}
}

func TestRcloneSizeSplitsRenamedAtCommit(t *testing.T) {
	in := gen(t, "--seed", "22", "--duration", "1m", "--size", "3MB")
	recs := readRecs(t, in)
	for _, kind := range []string{"s3", "sftp"} { // a copy on S3, a rename on SFTP
		t.Run(kind, func(t *testing.T) {
			r := startRemote(t, kind)
			conf := writeConf(t, r.conf)
			code, stderr := splitWith(t, in, nil, "--rclone", "--rclone-config", conf, "-o", r.prefix("sz"), "--split-byte", "1e6", "--filename-epoch-sec-startend", "--compress", "gzip:1")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			names := files(t, r.dir("sz"))
			if len(names) < 3 || len(names) > 4 {
				t.Fatalf("%d splits for 3 MB in 1 MB: %v", len(names), names)
			}
			var got []rec
			for _, n := range names {
				var a, b int64
				if _, err := fmt.Sscanf(n, "all_%d-%d.pcap.gz", &a, &b); err != nil {
					t.Fatalf("name %s: %v", n, err)
				}
				part := parseRecs(t, n, decompress(t, filepath.Join(r.dir("sz"), n)))
				if first, last := part[0].Time/1e9, part[len(part)-1].Time/1e9; first != a || last != b {
					t.Errorf("%s holds packets from second %d to %d", n, first, last)
				}
				got = append(got, part...)
			}
			sameRecs(t, "concatenated splits", recs, got)
		})
	}
}

// TestRcloneLocalSplitsPrivate pushes through a remote of rclone's local
// backend, as an operator with the usual umask 022 would: the splits, a
// size split's renamed NAME.pending included, are mode 0640 as the file
// output's are, never readable by others.
func TestRcloneLocalSplitsPrivate(t *testing.T) {
	in := gen(t, "--seed", "23", "--start", "2021-05-24T09:50:30Z", "--duration", "2m", "--size", "2MB")
	dir := t.TempDir()
	conf := writeConf(t, "[loc]\ntype = local\n")
	for _, tc := range []struct{ sub, split string }{{"time", "--split-time 60e9"}, {"size", "--split-byte 500e3"}} {
		cmd := fmt.Sprintf("umask 022 && exec %q --rclone --rclone-config %q -o %q %s --filename-tstr-HHMMSS_NS",
			testutil.Tool(t, "pcap_split"), conf, "loc:"+filepath.Join(dir, tc.sub, "all"), tc.split)
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		if res := testutil.Run(t, b, "sh", "-c", cmd); res.Code != 0 {
			t.Fatalf("%s: exit %d\n%s", tc.sub, res.Code, res.Stderr)
		}
		ents, err := os.ReadDir(filepath.Join(dir, tc.sub))
		if err != nil || len(ents) < 2 {
			t.Fatalf("%s: splits %v, %v", tc.sub, ents, err)
		}
		for _, e := range ents {
			st, err := os.Stat(filepath.Join(dir, tc.sub, e.Name()))
			if err != nil || st.Mode().Perm() != 0o640 {
				t.Errorf("%s: %s has mode %v, %v; want 0640", tc.sub, e.Name(), st.Mode().Perm(), err)
			}
		}
	}
}
