package tests

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
	return stopWhen(t, b, cut, env, func(*splitProc) bool { return r.inFlight("k") }, stop, args...)
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
	// A connection string given as -o holds its credentials itself: they are
	// redacted from every message, the split names in progress lines too.
	good := fmt.Sprintf(`:s3,provider=Other,access_key_id=%s,secret_access_key=%s,endpoint="http://%s",force_path_style=true,region=us-east-1:pcap/cs`,
		s3.s3.Access, s3.s3.Secret, s3.s3.Addr)
	for _, tt := range []struct {
		prefix string
		ok     bool
	}{{good, true}, {strings.Replace(good, s3.s3.Secret, secret, 1), false}} {
		code, stderr := splitWith(t, in, nil, "--rclone", "-o", tt.prefix, "--split-time", "60e9", "--filename-epoch-sec")
		if (code == 0) != tt.ok {
			t.Errorf("connection string (ok %v): exit %d:\n%s", tt.ok, code, stderr)
		}
		for _, s := range []string{s3.s3.Secret, s3.s3.Access, secret} {
			if strings.Contains(stderr, s) {
				t.Errorf("connection string (ok %v): stderr shows the secret %q:\n%s", tt.ok, s, stderr)
			}
		}
		if !strings.Contains(stderr, "secret_access_key=***") {
			t.Errorf("connection string (ok %v): stderr never names the remote, redacted:\n%s", tt.ok, stderr)
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

func TestRcloneSIGTERMPublishesTheOpenSplit(t *testing.T) {
	r := startRemote(t, "sftp")
	in := gen(t, "--seed", "31", "--start", "2021-05-24T09:50:00Z", "--duration", "50s", "--size", "6MB")
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	p := startSplit(t, nil, "--rclone", "--rclone-config", writeConf(t, r.conf), "-o", r.prefix("s"), "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", "zstd:1", "--idle-close", "0")
	p.stdin.Write(b) // stdin stays open: only the signal ends the split
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stderr.String(), "New Split") {
		if time.Now().After(deadline) {
			t.Fatalf("no split started:\n%s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second) // let pcap_split read the end still in the pipe
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM; want 0:\n%s", code, p.stderr)
	}
	checkMinutes(t, r.dir("s"), ".pcap.zst", readRecs(t, in))
}
