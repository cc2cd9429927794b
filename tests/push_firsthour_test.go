package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/state"
)

// inDir runs push_realtime with args from folder dir, as a person in a
// shell there would.
func inDir(t *testing.T, dir string, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, nil, "sh", append([]string{"-c", `cd "$1" && shift && exec "$@"`, "sh", dir, testutil.Tool(t, "push_realtime")}, args...)...)
}

// TestPushFirstHour does what a new user does in a first hour, in a shell
// in the folder holding the configuration, with relative folders: mistypes
// --store, pushes a capture kept outside the store by its path, twice in
// one minute, looks at the logs, asks status (without repeating the
// folders, then with a state folder that does not exist) and pastes a
// --dry-run pipeline.
func TestPushFirstHour(t *testing.T) {
	e := newPushEnv(t)
	in := storedCapture(t, e, "cap1", "--seed", "31", "--start", "2021-05-24T09:50:30Z", "--duration", "2m", "--size", "6MB")
	cfg := referenceConfig(t, e)
	// The capture is kept elsewhere, as a recorder's own folder.
	if err := os.MkdirAll(filepath.Join(e.root, "elsewhere"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(e.store, "cap1"), filepath.Join(e.root, "elsewhere", "cap2")); err != nil {
		t.Fatal(err)
	}
	folders := []string{"--config", filepath.Base(cfg), "--store", "store", "--state-dir", "state", "--log-dir", "log", "--bin-dir", binDir(t)}

	// A mistyped store is named as a store, before anything is written.
	res := inDir(t, e.root, append(slices.Clone(folders), "--store", "stroe", "--offline", "cap2")...)
	if res.Code != 2 || !strings.Contains(string(res.Stderr), "--offline cap2: no such store "+e.root+"/stroe (give --store DIR") {
		t.Errorf("mistyped --store: exit %d\n%s", res.Code, res.Stderr)
	}
	if _, err := os.Stat(e.logs); err == nil {
		t.Error("the mistyped --store started something: the log folder exists")
	}

	// A capture by its path, as stream_cat takes it, twice in one minute.
	if s := time.Now().Second(); s > 40 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}
	for range 2 {
		res = inDir(t, e.root, append(slices.Clone(folders), "--offline", "elsewhere/cap2", "--status-interval", "200ms")...)
		if res.Code != 0 {
			t.Fatalf("push of a capture's path: exit %d\n%s", res.Code, res.Stderr)
		}
	}
	sameRecs(t, "target pcap-all", readRecs(t, in), published(t, e.out, "all_"))
	logs, err := filepath.Glob(filepath.Join(e.logs, "push_pcap-all_*"))
	if err != nil || len(logs) != 2 || logs[1] != logs[0]+"_2" {
		t.Fatalf("the two starts' logs: %v, %v; want NAME and NAME_2", logs, err)
	}
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if n := strings.Count(string(b), "stream_cat --uid push_"); n != 1 {
			t.Errorf("%s holds %d pipelines; want its start's alone:\n%s", l, n, b)
		}
	}
	analytics, _ := os.ReadFile(filepath.Join(e.logs, "analytics_push_realtime.cur"))
	// No status line of stages all down without the state beside it (the
	// all-false line written before the pipelines started was one).
	if bare := regexp.MustCompile(`(?m): stream_cat:false( \w+:false)* split:false\]$`).FindAll(analytics, -1); len(bare) > 0 {
		t.Errorf("analytics log has %d status lines of stages all down with no state beside them:\n%s", len(bare), analytics)
	}
	finished := regexp.MustCompile(`(?m)push \[pcap-all +: stream_cat:false split:false\] stopped: finished capture ` + regexp.QuoteMeta(e.root+"/elsewhere/cap2") + `$`)
	if !finished.Match(analytics) {
		t.Errorf("analytics log lacks pcap-all's finished status line:\n%s", analytics)
	}

	// status, with the state folder alone: the folders of the push that
	// ran, absolute, said to be its.
	res = inDir(t, e.root, "status", "--state-dir", "state")
	out := string(res.Stdout)
	for _, want := range []string{"folders from the offline push of " + e.root + "/elsewhere/cap2 started ", "\nlogs " + e.logs + ": ", "\nstore " + e.store + ":\n", "\npcap-all (offline)  stopped  "} {
		if res.Code != 0 || !strings.Contains(out, want) {
			t.Errorf("status after the offline push lacks %q: exit %d\n%s%s", want, res.Code, out, res.Stderr)
		}
	}
	res = inDir(t, e.root, "status", "--state-dir", "no-state")
	if res.Code != 1 || !strings.Contains(string(res.Stderr), "status: no state folder "+e.root+"/no-state: give --state-dir DIR") {
		t.Errorf("status without a state folder: exit %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}

	// The dry run's pipeline holds the target's real id: pasted into a
	// shell, it runs.
	res = inDir(t, e.root, append(slices.Clone(folders), "--offline", "elsewhere/cap2", "--dry-run", "--target", "pcap-all")...)
	uid, ok := state.At(e.state).KnownUID("pcap-all")
	if res.Code != 0 || !ok || !strings.Contains(string(res.Stdout), "stream_cat --uid "+uid+" ") || strings.Contains(string(res.Stdout), "push_UID") {
		t.Fatalf("dry run: exit %d, id %q\n%s%s", res.Code, uid, res.Stdout, res.Stderr)
	}
	pipeline := strings.SplitN(string(res.Stdout), "\n", 3)[1]
	pasted := filepath.Join(e.root, "pasted")
	pipeline = strings.Replace(pipeline, " -o "+e.out+"/all ", " -o "+pasted+"/all ", 1)
	if err := os.MkdirAll(pasted, 0o755); err != nil {
		t.Fatal(err)
	}
	if res := testutil.Run(t, nil, "sh", "-c", pipeline); res.Code != 0 {
		t.Fatalf("the dry run's pipeline, pasted: exit %d\n%s\n%s", res.Code, pipeline, res.Stderr)
	}
	sameRecs(t, "the pasted pipeline", readRecs(t, in), published(t, pasted, "all_"))
}
