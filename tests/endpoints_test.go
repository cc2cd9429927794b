package tests

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/walk"

	"github.com/pcappush/pcappush/internal/loopback"
)

// cloud is a loopback server of a cloud store (Azure Blob on Azurite,
// Google Cloud Storage on fake-gcs-server) or an SMB share (smbd), read
// back through rclone's own backend rather than from its disk.
type cloud struct {
	kind    string
	name    string // remote name in the config
	conf    string // the config section
	srv     *loopback.Server
	fs      func(ctx context.Context, path string) (fs.Fs, error)
	root    string                    // bucket, container or share
	restart func(t *testing.T) *cloud // a new server over the same storage
}

// startCloud starts a server of kind (azure, gcs, smb) in dir, skipping in
// -short mode and when the server is not installed (failing when
// PCAPPUSH_REQUIRE_TOOLS is set, as in CI).
func startCloud(t *testing.T, kind, dir string, fresh bool) *cloud {
	t.Helper()
	if testing.Short() {
		t.Skip("server tests skipped in -short mode")
	}
	c := &cloud{kind: kind, root: "pcap"}
	var err error
	switch kind {
	case "azure":
		var a *loopback.Azure
		if a, err = loopback.StartAzure(dir); err == nil {
			c.name, c.srv, c.conf, c.fs = "azblob", a.Server, a.RcloneConfig("azblob"), a.Fs
			if fresh {
				err = a.CreateContainer(c.root)
			}
		}
	case "gcs":
		var g *loopback.GCS
		if g, err = loopback.StartGCS(dir); err == nil {
			c.name, c.srv, c.conf, c.fs = "gcs", g.Server, g.RcloneConfig("gcs"), g.Fs
			if fresh {
				err = g.CreateBucket(c.root)
			}
		}
	case "smb":
		var s *loopback.SMB
		if s, err = loopback.StartSMB(dir); err == nil {
			c.name, c.srv, c.conf, c.fs = "share", s.Server, s.RcloneConfig("share"), s.Fs
		}
	}
	if err != nil {
		if c.srv != nil {
			c.srv.Stop()
		}
		if os.Getenv("PCAPPUSH_REQUIRE_TOOLS") == "" && strings.Contains(err.Error(), loopback.ErrMissing.Error()) {
			t.Skipf("%s server: %v", kind, err)
		}
		t.Fatalf("%s server: %v", kind, err)
	}
	t.Cleanup(c.srv.Stop)
	c.restart = func(t *testing.T) *cloud { return startCloud(t, kind, dir, false) }
	return c
}

func (c *cloud) prefix(sub string) string { return c.name + ":" + c.root + "/" + sub + "/all" }

// objects returns the objects under folder sub, name to content.
func (c *cloud) objects(t *testing.T, sub string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	f, err := c.fs(ctx, c.root+"/"+sub)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	err = walk.ListR(ctx, f, "", true, -1, walk.ListObjects, func(entries fs.DirEntries) error {
		for _, e := range entries {
			o, ok := e.(fs.Object)
			if !ok {
				continue
			}
			rc, err := o.Open(ctx)
			if err != nil {
				return err
			}
			b, err := io.ReadAll(rc)
			rc.Close() //nolint:errcheck // read fully
			if err != nil {
				return err
			}
			out[o.Remote()] = b
		}
		return nil
	})
	if err != nil && !strings.Contains(err.Error(), "directory not found") {
		t.Fatalf("list %s: %v", c.prefix(sub), err)
	}
	return out
}

// checkObjects checks that folder sub holds exactly one complete split per
// minute of want, each equal packet for packet to the input's.
func (c *cloud) checkObjects(t *testing.T, sub string, want []rec) {
	t.Helper()
	got := c.objects(t, sub)
	groups := byMinute(want)
	var names, have []string
	for m := range groups {
		names = append(names, minuteName(m, ".pcap"))
	}
	for n := range got {
		have = append(have, n)
	}
	slices.Sort(names)
	slices.Sort(have)
	if !slices.Equal(names, have) {
		t.Fatalf("%s holds %v; want %v", c.prefix(sub), have, names)
	}
	for m, recs := range groups {
		name := minuteName(m, ".pcap")
		sameRecs(t, name, recs, parseRecs(t, name, got[name]))
	}
}

// TestEndpointsKilledAndFrozenMidUpload: Azure Blob (Azurite), Google
// Cloud Storage (fake-gcs-server) and SMB (smbd) servers on loopback, each
// first killed (SIGKILL to every process of the server) while pcap_split
// uploads the second minute: pcap_split fails naming that split, and the
// store holds nothing of it under a final name (a .pending file on SMB,
// where uploads are renamed at the end, may stay); a rerun against a new
// server over the same storage publishes every minute, each equal to the
// input. Then that server is stopped with SIGSTOP mid-upload (connections
// stay open, nothing answers): pcap_split gives up within rclone's
// timeouts, exit 1, naming the split.
func TestEndpointsKilledAndFrozenMidUpload(t *testing.T) {
	in := gen(t, "--seed", "41", "--start", "2021-05-24T09:50:00Z", "--duration", "2m", "--size", "60MB")
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecs(t, in)
	const m0, m1 = 1621849800, 1621849860 // 09:50 and 09:51
	// 20 MB into the second minute: more than one upload chunk of each
	// backend (Azure 4 MiB blocks, GCS 16 MiB chunks, SMB writes)
	cut := offsetOf(t, b, m1*1e9) + 20<<20
	first := pcapBytes(byMinute(recs)[m0])
	// in flight: pcap_split has sent 1 MB of the second minute
	inFlight := func(p *splitProc) bool { return written(p) > first+1<<20 }
	for _, kind := range []string{"azure", "gcs", "smb"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c := startCloud(t, kind, dir, true)
			args := []string{"--rclone", "--rclone-config", writeConf(t, c.conf), "-o", c.prefix("k"), "--split-time", "60e9", "--filename-tstr-HHMMSS"}
			// With rclone's default 10 low-level retries, a dead Azure
			// server takes about 90 s to give up on; 2 keep the test short.
			retries := []string{"RCLONE_LOW_LEVEL_RETRIES=2"}
			code, stderr, took := stopWhen(t, b, cut, retries, inFlight, c.srv.Kill, args...)
			if code != 1 {
				t.Fatalf("exit %d after the server died; want 1:\n%s", code, stderr)
			}
			failed := c.prefix("k") + "_20210524_095100.pcap"
			if !regexp.MustCompile(`(?m)^pcap_split: (write|upload) ` + regexp.QuoteMeta(failed) + `: `).MatchString(stderr) {
				t.Errorf("the error does not name the split %s:\n%s", failed, stderr)
			}
			if took > time.Minute {
				t.Errorf("took %v to fail after the server died", took)
			}
			t.Logf("failed %v after the kill:\n%s", took.Round(time.Millisecond), stderr)

			c2 := c.restart(t)
			got := c2.objects(t, "k")
			for name, data := range got {
				switch {
				case strings.HasSuffix(name, ".pending"):
				case name != minuteName(m0, ".pcap"):
					t.Errorf("%s published after the kill; want only %s", name, minuteName(m0, ".pcap"))
				default:
					sameRecs(t, "the split before the kill", byMinute(recs)[m0], parseRecs(t, name, data))
				}
			}
			if _, ok := got[minuteName(m0, ".pcap")]; !ok {
				t.Logf("the restarted %s server lost the split published before the kill (the server's durability, not pcap_split's)", kind)
			}
			args[2] = writeConf(t, c2.conf)
			if code, stderr = splitWith(t, in, nil, args...); code != 0 {
				t.Fatalf("rerun: exit %d:\n%s", code, stderr)
			}
			c2.checkObjects(t, "k", recs)

			t.Cleanup(c2.srv.Thaw) // before the kill registered first
			env := []string{"RCLONE_TIMEOUT=2s", "RCLONE_CONTIMEOUT=2s"}
			args[4] = c2.prefix("f")
			code, stderr, took = stopWhen(t, b, cut, env, inFlight, c2.srv.Freeze, args...)
			if code != 1 || !strings.Contains(stderr, c2.prefix("f")+"_20210524_095100.pcap") {
				t.Fatalf("frozen: exit %d; want 1 and an error naming the split:\n%s", code, stderr)
			}
			if took > 90*time.Second {
				t.Errorf("took %v to give up on a frozen server", took)
			}
			t.Logf("gave up %v after the freeze:\n%s", took.Round(time.Millisecond), stderr)
		})
	}
}

// written returns how many bytes pcap_split has written so far (wchar of
// /proc/PID/io): with --rclone and no pipe command, what it sent to the
// server, and its few lines on stderr.
func written(p *splitProc) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// pcapBytes is the size of a pcap file holding recs.
func pcapBytes(recs []rec) int64 {
	n := int64(24)
	for _, r := range recs {
		n += 16 + int64(len(r.Data))
	}
	return n
}

// stopWhen runs pcap_split on b, feeding the first cut bytes, does stop to
// the server once ready reports true, feeds the rest, and returns the exit
// code, stderr and the time from the stop to the exit.
func stopWhen(t *testing.T, b []byte, cut int, env []string, ready func(*splitProc) bool, stop func(), args ...string) (int, string, time.Duration) {
	t.Helper()
	p := startSplit(t, env, args...)
	p.stdin.Write(b[:cut])
	deadline := time.Now().Add(60 * time.Second)
	for !ready(p) {
		if time.Now().After(deadline) {
			t.Fatalf("no upload in flight after 60 s:\n%s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	at := time.Now()
	p.stdin.Write(b[cut:]) // fails once pcap_split has exited
	code := p.wait(t, 2*time.Minute)
	return code, p.stderr.String(), time.Since(at)
}
