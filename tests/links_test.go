package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/state"
)

// TestPushRefusesPlantedLinks does what someone who can write a folder
// could: plant a symbolic link to a victim file where push_realtime or
// its stages write (an output folder may well be group-writable). Each
// push fails naming the link, and the victim is never written.
func TestPushRefusesPlantedLinks(t *testing.T) {
	minute := func() string { return time.Now().Format("20060102_1504") }
	for _, tc := range []struct {
		name  string
		links func(e pushEnv) []string
		where string // "stderr", or the target whose log tells
	}{
		{"a split's NAME.pending in the output folder", func(e pushEnv) []string {
			return []string{filepath.Join(e.out, "all_1621849800-1621849860.pcap.pending")}
		}, "pcap-all"},
		{"targets/<Desc>/uid", func(e pushEnv) []string { return []string{state.At(e.state).UIDFile("pcap-all")} }, "stderr"},
		{"push_realtime.lock", func(e pushEnv) []string { return []string{state.At(e.state).LockFile()} }, "stderr"},
		{"the analytics log", func(e pushEnv) []string { return []string{filepath.Join(e.logs, "analytics_push_realtime.cur")} }, "stderr"},
		{"a target's log", func(e pushEnv) []string {
			now := minute()
			next := time.Now().Add(time.Minute).Format("20060102_1504")
			return []string{filepath.Join(e.logs, "push_pcap-tcp_"+now), filepath.Join(e.logs, "push_pcap-tcp_"+next)}
		}, "stderr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPushEnv(t)
			storedCapture(t, e, "cap1", "--seed", "35", "--start", "2021-05-24T09:50:30Z", "--duration", "90s", "--packets", "2000")
			cfg := referenceConfig(t, e)
			os.MkdirAll(e.state, 0o750)
			os.MkdirAll(e.logs, 0o750)
			var victims []testutil.Victim
			for _, l := range tc.links(e) {
				victims = append(victims, testutil.PlantLink(t, l))
			}
			res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1")...)
			said := string(res.Stderr)
			if tc.where != "stderr" {
				b, _ := os.ReadFile(filepath.Join(e.logs, "push_"+tc.where+".cur"))
				said = string(b)
			}
			if res.Code != 1 {
				t.Errorf("exit %d; want 1\n%s", res.Code, res.Stderr)
			}
			victims[0].Refused("push_realtime", said)
			for _, v := range victims[1:] {
				v.Untouched()
			}
		})
	}
}

// TestPushRefusesFoldersOthersCanWrite: a state or log folder that others
// can write (group- or world-writable, or another user's) is refused at
// start, as sshd refuses such keys: exit 2, naming the folder and what to
// do, before any pipeline starts.
func TestPushRefusesFoldersOthersCanWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		folder func(e pushEnv) string
		mode   os.FileMode
		owner  int
		want   string
	}{
		{"state group-writable", func(e pushEnv) string { return e.state }, 0o770, -1, "state folder (--state-dir): folder %s is group-writable (mode 0770)"},
		{"log world-writable", func(e pushEnv) string { return e.logs }, 0o757, -1, "log folder (--log-dir, Config.LogDir): folder %s is world-writable (mode 0757)"},
		{"state another user's", func(e pushEnv) string { return e.state }, 0o750, 65534, "state folder (--state-dir): folder %s is owned by uid 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.owner >= 0 && os.Geteuid() != 0 {
				t.Skip("giving a folder to another user needs root")
			}
			e := newPushEnv(t)
			storedCapture(t, e, "cap1", "--seed", "36", "--packets", "100")
			cfg := referenceConfig(t, e)
			dir := tc.folder(e)
			os.MkdirAll(dir, 0o750)
			if err := os.Chmod(dir, tc.mode); err != nil {
				t.Fatal(err)
			}
			if tc.owner >= 0 {
				if err := os.Chown(dir, tc.owner, tc.owner); err != nil {
					t.Fatal(err)
				}
			}
			res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1")...)
			want := strings.Replace(tc.want, "%s", dir, 1)
			if res.Code != 2 || !strings.Contains(string(res.Stderr), want) || !strings.Contains(string(res.Stderr), "refused (") {
				t.Errorf("exit %d; want 2 and %q\n%s", res.Code, want, res.Stderr)
			}
			if got := files(t, e.out); len(got) != 0 {
				t.Errorf("published %v before refusing", got)
			}
		})
	}
}
