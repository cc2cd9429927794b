package tests

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
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
	stderr *bytes.Buffer
	done   chan struct{}
}

// startSplit starts pcap_split with extra environment variables.
func startSplit(t *testing.T, env []string, args ...string) *splitProc {
	t.Helper()
	cmd := exec.Command(testutil.Tool(t, "pcap_split"), args...)
	cmd.Env = append(os.Environ(), env...)
	p := &splitProc{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
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

// offsetOf returns the byte offset of the first record at or after ns.
func offsetOf(t *testing.T, b []byte, ns int64) int {
	t.Helper()
	for off := 24; off+16 <= len(b); {
		ts := int64(binary.LittleEndian.Uint32(b[off:]))*1e9 + int64(binary.LittleEndian.Uint32(b[off+4:]))
		if ts >= ns {
			return off
		}
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	t.Fatalf("no record at or after %d", ns)
	return 0
}

// inFlight reports whether the server holds an unfinished upload of more
// than 1 MB: a .pending file, or a multipart part on S3.
func (r *remote) inFlight(sub string) bool {
	root := r.dir(sub)
	if r.kind == "s3" {
		root = filepath.Join(r.store, "pcap", ".sgwtmp")
	}
	found := false
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && (r.kind == "s3" || strings.HasSuffix(p, ".pending")) {
			if st, err := d.Info(); err == nil && st.Size() > 1<<20 {
				found = true
			}
		}
		return nil
	})
	return found
}

func TestRcloneServerKilledMidUpload(t *testing.T) {
	in := gen(t, "--seed", "23", "--start", "2021-05-24T09:50:00Z", "--duration", "3m", "--size", "45MB")
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecs(t, in)
	const m0, m1 = 1621849800, 1621849860 // 09:50 and 09:51
	cut := offsetOf(t, b, m1*1e9) + 8<<20
	for _, tt := range []struct {
		kind string
		args []string
		sfx  string
	}{
		{"s3", nil, ".pcap"},
		{"sftp", nil, ".pcap"},
		{"ftp", nil, ".pcap"},
		{"sftp", []string{"--pipe-cmd", "gzip -c -1", "--filename-suffix", ".pcap.gz"}, ".pcap.gz"},
	} {
		t.Run(tt.kind+strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := startRemote(t, tt.kind)
			args := append([]string{"--rclone", "--rclone-config", writeConf(t, r.conf), "-o", r.prefix("k"), "--split-time", "60e9", "--filename-tstr-HHMMSS"}, tt.args...)
			code, stderr, took := stopMidUpload(t, r, b, cut, nil, r.srv.Kill, args...)
			if code != 1 {
				t.Fatalf("exit %d after the server died; want 1:\n%s", code, stderr)
			}
			failed := r.prefix("k") + "_20210524_095100" + tt.sfx
			if !regexp.MustCompile(`(?m)^pcap_split: (write|upload) ` + regexp.QuoteMeta(failed) + `: .*(refused|reset|lost|broken pipe|EOF)`).MatchString(stderr) {
				t.Errorf("the error does not name the split %s and the cause:\n%s", failed, stderr)
			}
			if took > 60*time.Second {
				t.Errorf("took %v to fail after the server died", took)
			}
			// the minute published before the crash is whole; the one in
			// flight has no final name (its .pending may stay: the server
			// is gone)
			var finals []string
			for _, n := range files(t, r.dir("k")) {
				if !strings.HasSuffix(n, ".pending") {
					finals = append(finals, n)
				}
			}
			if want := minuteName(m0, tt.sfx); len(finals) != 1 || finals[0] != want {
				t.Fatalf("published %v; want only %s", finals, want)
			}
			sameRecs(t, "the split before the crash", byMinute(recs)[m0], parseRecs(t, finals[0], decompress(t, filepath.Join(r.dir("k"), finals[0]))))
			t.Logf("failed %v after the kill:\n%s", took.Round(time.Millisecond), stderr)

			// a new server over the same storage: the rerun sweeps what was
			// left and publishes everything
			r2 := r.restart(t)
			args[2] = writeConf(t, r2.conf)
			code, stderr = splitWith(t, in, nil, args...)
			if code != 0 {
				t.Fatalf("rerun: exit %d:\n%s", code, stderr)
			}
			checkMinutes(t, r.dir("k"), tt.sfx, recs)
		})
	}
}

// stopMidUpload runs pcap_split on in to remote folder sub, does stop to
// the server once an upload is in flight, feeds the rest, and returns the
// exit code, stderr and the time from the stop to the exit.
func stopMidUpload(t *testing.T, r *remote, b []byte, cut int, env []string, stop func(), args ...string) (int, string, time.Duration) {
	t.Helper()
	p := startSplit(t, env, args...)
	p.stdin.Write(b[:cut])
	deadline := time.Now().Add(30 * time.Second)
	for !r.inFlight("k") {
		if time.Now().After(deadline) {
			t.Fatalf("no upload in flight after 30 s:\n%s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	at := time.Now()
	p.stdin.Write(b[cut:]) // fails once pcap_split has exited
	code := p.wait(t, 2*time.Minute)
	return code, p.stderr.String(), time.Since(at)
}

func TestRcloneFrozenServerTimesOut(t *testing.T) {
	in := gen(t, "--seed", "24", "--start", "2021-05-24T09:50:00Z", "--duration", "2m", "--size", "30MB")
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	cut := offsetOf(t, b, 1621849860e9) + 8<<20
	for _, kind := range []string{"s3", "sftp", "ftp"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			r := startRemote(t, kind)
			t.Cleanup(r.srv.Thaw) // before the kill registered first
			// rclone's own variables: a 2 s IO timeout makes the stall limit 8 s
			env := []string{"RCLONE_TIMEOUT=2s", "RCLONE_CONTIMEOUT=2s"}
			args := []string{"--rclone", "--rclone-config", writeConf(t, r.conf), "-o", r.prefix("k"), "--split-time", "60e9", "--filename-tstr-HHMMSS"}
			code, stderr, took := stopMidUpload(t, r, b, cut, env, r.srv.Freeze, args...)
			if code != 1 || !strings.Contains(stderr, r.prefix("k")+"_20210524_095100.pcap") {
				t.Fatalf("exit %d; want 1 and an error naming the split:\n%s", code, stderr)
			}
			if took > 45*time.Second {
				t.Errorf("took %v to give up on a frozen server; want well under a minute", took)
			}
			t.Logf("gave up %v after the freeze:\n%s", took.Round(time.Millisecond), stderr)
		})
	}
}

func TestRcloneSecretsStayOutOfMessages(t *testing.T) {
	s3 := startRemote(t, "s3")
	ftp := startRemote(t, "ftp")
	in := gen(t, "--seed", "25", "--duration", "1m", "--size", "2MB")
	const secret = "wrong-secret-5b8e1c47"
	ftpPass := "ftp-password-9d2a61"
	badS3 := strings.Replace(s3.conf, s3.s3.Secret, secret, 1)
	ftpConf := strings.Replace(ftp.conf, "pass = ", "pass = x", 1) // an obscured value that does not decode
	conf := writeConf(t, badS3, ftpConf)
	raw, _ := os.ReadFile(conf)
	var secrets []string
	for _, l := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(l, " = "); ok && (strings.Contains(k, "secret") || k == "pass") {
			secrets = append(secrets, v)
		}
	}
	secrets = append(secrets, secret, ftpPass)
	for _, tt := range []struct {
		prefix string
		env    []string
	}{
		{s3.prefix("x"), nil},
		{s3.prefix("x"), []string{"RCLONE_LOG_LEVEL=DEBUG"}},
		{ftp.prefix("x"), nil},
		{"s3-fmad:", nil},
	} {
		code, stderr := splitWith(t, in, tt.env, "--rclone", "--rclone-config", conf, "-o", tt.prefix, "--split-time", "60e9", "--filename-epoch-sec")
		if code == 0 {
			t.Errorf("%s: exit 0 with a wrong secret", tt.prefix)
		}
		for _, s := range secrets {
			if strings.Contains(stderr, s) {
				t.Errorf("%s %v: stderr shows the secret %q:\n%s", tt.prefix, tt.env, s, stderr)
			}
		}
	}
}

func TestRcloneSweepsStaleUploads(t *testing.T) {
	r := startRemote(t, "s3")
	ssh := startRemote(t, "sftp")
	conf := writeConf(t, r.conf, ssh.conf)
	in := gen(t, "--seed", "26", "--start", "2021-05-24T09:50:00Z", "--duration", "1m", "--size", "20MB")
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	// pcap_split killed mid-upload leaves an S3 multipart upload behind
	args := []string{"--rclone", "--rclone-config", conf, "-o", r.prefix("k"), "--split-time", "60e9", "--filename-tstr-HHMMSS"}
	p := startSplit(t, nil, args...)
	p.stdin.Write(b[:12<<20])
	deadline := time.Now().Add(30 * time.Second)
	for !r.inFlight("k") {
		if time.Now().After(deadline) {
			t.Fatalf("no upload in flight after 30 s:\n%s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.cmd.Process.Kill()
	<-p.done
	uploads := func() int {
		f, err := r.s3.Fs(context.Background(), "pcap")
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.Features().Command(context.Background(), "list-multipart-uploads", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(j), `"UploadId"`)
	}
	if n := uploads(); n != 1 {
		t.Fatalf("%d multipart uploads after the kill; want 1", n)
	}
	small := gen(t, "--seed", "27", "--duration", "1s", "--packets", "10")
	// young uploads are left alone: they may be another writer's
	if code, stderr := splitWith(t, small, nil, args...); code != 0 || uploads() != 1 {
		t.Fatalf("exit %d, %d uploads; want 0 and the young upload kept:\n%s", code, uploads(), stderr)
	}
	time.Sleep(1100 * time.Millisecond)
	if code, stderr := splitWith(t, small, nil, append(args, "--rclone-sweep-age", "1s")...); code != 0 || uploads() != 0 {
		t.Fatalf("exit %d, %d uploads; want 0 and the old upload aborted:\n%s", code, uploads(), stderr)
	}

	// stale .pending files of this prefix and suffix go; others stay
	dir := ssh.dir("p")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"all_1.pcap.zst.pending", "all_2.pcap.zst.pending", "all_3.pcap.pending", "other_1.pcap.zst.pending", "all_0.pcap.zst"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stderr := splitWith(t, small, nil, "--rclone", "--rclone-config", conf, "-o", ssh.prefix("p"), "--split-time", "60e9", "--filename-epoch-sec", "--compress", "zstd")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, want := files(t, dir), []string{"all_0.pcap.zst", "all_1621849860.pcap.zst", "all_3.pcap.pending", "other_1.pcap.zst.pending"}; !slices.Equal(got, want) {
		t.Errorf("after the sweep: %v; want %v", got, want)
	}
	if !strings.Contains(stderr, "pcap_split: removed 2 stale .pending files in "+strings.TrimSuffix(ssh.prefix("p"), "all")) {
		t.Errorf("the sweep is not logged:\n%s", stderr)
	}
}

func TestRcloneEnvironment(t *testing.T) {
	r := startRemote(t, "s3")
	in := gen(t, "--seed", "28", "--start", "2021-05-24T09:50:30Z", "--duration", "1m", "--size", "3MB")
	recs := readRecs(t, in)
	empty := writeConf(t)
	// a remote defined only by rclone's variables, a config file named by
	// RCLONE_CONFIG, global options from the environment
	env := []string{
		"RCLONE_CONFIG=" + empty,
		"RCLONE_CONFIG_ENVS3_TYPE=s3", "RCLONE_CONFIG_ENVS3_PROVIDER=Other",
		"RCLONE_CONFIG_ENVS3_ACCESS_KEY_ID=" + r.s3.Access, "RCLONE_CONFIG_ENVS3_SECRET_ACCESS_KEY=" + r.s3.Secret,
		"RCLONE_CONFIG_ENVS3_ENDPOINT=http://" + r.srv.Addr, "RCLONE_CONFIG_ENVS3_FORCE_PATH_STYLE=true",
		"RCLONE_CONFIG_ENVS3_REGION=us-east-1",
		"RCLONE_LOW_LEVEL_RETRIES=2", "RCLONE_TIMEOUT=10s", "RCLONE_CONTIMEOUT=5s",
	}
	code, stderr := splitWith(t, in, env, "--rclone", "-o", "envs3:pcap/env/all", "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", "gzip:1")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Output Mode RClone, config "+empty) {
		t.Errorf("RCLONE_CONFIG not used:\n%s", stderr)
	}
	checkMinutes(t, r.dir("env"), ".pcap.gz", recs)
}

func TestRcloneUsageErrors(t *testing.T) {
	in := gen(t, "--seed", "29", "--duration", "1s", "--packets", "5")
	conf := writeConf(t, "[s3-fmad]\ntype = s3\nsecret_access_key = hush-1c9e\n\n[mega]\ntype = mega\n")
	base := []string{"--split-time", "60e9", "--filename-epoch-sec"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--rclone", "--rclone-config", conf, "-o", "nope://x/all"}, `rclone remote "nope" is not defined in ` + conf},
		{[]string{"--rclone", "--rclone-config", conf, "-o", "mega://x/all"}, `has type "mega", which is not built in`},
		{[]string{"--rclone", "--rclone-config", conf + ".missing", "-o", "s3-fmad://x/all"}, "rclone.conf.missing: file does not exist"},
		{[]string{"--rclone", "--rclone-config", conf, "-o", "s3-fmad:"}, "has no folder"},
		{[]string{"--rclone-config", conf, "-o", t.TempDir() + "/"}, "--rclone-config needs --rclone"},
		{[]string{"--compress", "gzip:12", "-o", t.TempDir() + "/"}, "compression level \"12\" of gzip: want a number from 1 to 9"},
		{[]string{"--compress", "xz", "-o", t.TempDir() + "/"}, `unknown compression "xz"`},
	}
	for _, tt := range tests {
		code, stderr := splitWith(t, in, nil, append(base, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "Try: pcap_split --help") {
			t.Errorf("%v: exit %d; want 2 with %q and a Try line:\n%s", tt.args, code, tt.want, stderr)
		}
		if strings.Contains(stderr, "hush-1c9e") {
			t.Errorf("%v: stderr shows a secret:\n%s", tt.args, stderr)
		}
	}
}

func TestSplitCompressLocal(t *testing.T) {
	in := gen(t, "--seed", "30", "--start", "2021-05-24T09:50:30Z", "--duration", "2m", "--size", "8MB")
	recs := readRecs(t, in)
	for _, tt := range []struct{ spec, sfx string }{{"gzip:1", ".pcap.gz"}, {"gzip", ".pcap.gz"}, {"zstd:1", ".pcap.zst"}, {"zstd:19", ".pcap.zst"}, {"lz4", ".pcap.lz4"}, {"lz4:9", ".pcap.lz4"}} {
		dir := t.TempDir()
		res := runSplit(t, in, "-o", dir+"/all", "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", tt.spec)
		if res.Code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.spec, res.Code, res.Stderr)
		}
		checkMinutes(t, dir, tt.sfx, recs)
	}
	// compression first, then the pipe command: zstd, then gzip around it
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/all", "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", "zstd:1", "--pipe-cmd", "gzip -c -1", "--filename-suffix", ".pcap.zst.gz")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for m, want := range byMinute(recs) {
		name := minuteName(m, ".pcap.zst.gz")
		zst := testutil.MustRun(t, nil, testutil.Need(t, "gzip"), "-dc", filepath.Join(dir, name)).Stdout
		raw := testutil.MustRun(t, zst, testutil.Need(t, "zstd"), "-dcq").Stdout
		sameRecs(t, name, want, parseRecs(t, name, raw))
	}
}
