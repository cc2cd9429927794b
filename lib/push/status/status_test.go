package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

func self(t *testing.T) (int, uint64) {
	t.Helper()
	start, ok := ProcessStart(os.Getpid())
	if !ok || start == 0 {
		t.Fatalf("ProcessStart(self) = %d, %v", start, ok)
	}
	return os.Getpid(), start
}

func write(t *testing.T, state string, s Status) {
	t.Helper()
	p := Path(state, s.Target, s.Mode)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, &s); err != nil {
		t.Fatal(err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	state := t.TempDir()
	pid, start := self(t)
	now := time.Date(2021, 5, 29, 15, 36, 46, 0, time.UTC)
	errAt := now.Add(-time.Minute)
	s := Status{Format: Format, Target: "pcap-all", UID: "push_1", Mode: Realtime, PID: pid, PIDStart: start, State: Running,
		Since: now, Started: now, Updated: now, Capture: "cap1", Stages: []Stage{{"stream_cat", true, 10}, {"pcap_split", true, 11}},
		Splits: 3, Bytes: 240e6, Packets: 150000, LastSplit: &Split{Entry: ledger.Entry{Name: "/p/all_1.pcap", First: 1, Last: 2, Bytes: 80e6, Packets: 50000}, Published: now},
		Restarts: 1, Errors: 1, LastError: "pcap_split exited with status 1", LastErrorTime: &errAt}
	write(t, state, s)
	got, err := Read(Path(state, "pcap-all", Realtime))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, *got); d != "" {
		t.Errorf("read back (-want +got):\n%s", d)
	}
	if !got.Alive() || !got.Up() {
		t.Errorf("Alive %v, Up %v; want both", got.Alive(), got.Up())
	}
	if m, _ := filepath.Glob(filepath.Join(state, "targets", "pcap-all", ".status.json.*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	if st, _ := os.Stat(Path(state, "pcap-all", Realtime)); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v; want 0640", st.Mode().Perm())
	}
}

func TestReportMarksDeadWritersStopped(t *testing.T) {
	state, store := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(store, "cap1"), 0o755); err != nil {
		t.Fatal(err)
	}
	pid, start := self(t)
	now := time.Date(2021, 5, 29, 15, 36, 46, 0, time.UTC)
	live := Status{Format: Format, Target: "pcap-all", Mode: Realtime, PID: pid, PIDStart: start, State: Running, Started: now.Add(-time.Hour),
		Capture: "cap1", Stages: []Stage{{Name: "stream_cat", Up: true}, {Name: "pcap_split", Up: true}}, Splits: 2, Bytes: 80123456, Packets: 51234,
		LastSplit: &Split{Entry: ledger.Entry{Name: "/p/all_1621849860.pcap", Last: now.Add(-75 * time.Second).UnixNano()}, Published: now.Add(-12 * time.Second)}}
	dead := Status{Format: Format, Target: "pcap-tcp", Mode: Realtime, PID: pid, PIDStart: start + 1, State: Running, Capture: "cap1",
		LastError: strings.Repeat("x", 100), Log: "/var/log/pcappush/push_pcap-tcp_20210529_1536"}
	offline := Status{Format: Format, Target: "pcap-all", Mode: Offline, PID: pid, PIDStart: start, State: Stopped, Detail: "finished capture cap0"}
	write(t, state, live)
	write(t, state, dead)
	write(t, state, offline)
	r, err := NewReport(state, store, []string{"pcap-all", "pcap-tcp", "pcap-new"}, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range r.Targets {
		got = append(got, row.Target+"/"+row.Mode+"/"+row.State+"/"+row.Recorded)
	}
	want := []string{"pcap-all/realtime/running/", "pcap-all/offline/stopped/", "pcap-tcp/realtime/stopped/running", "pcap-new/realtime/stopped/"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if !r.Service.Running || r.Service.PID != pid {
		t.Errorf("service %+v; want running with pid %d", r.Service, pid)
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.Targets) != 4 || *back.Targets[0].LagSeconds != 75 || back.Store.Captures[0].Name != "cap1" {
		t.Errorf("JSON %s, %v", b.String(), err)
	}
}

func TestFormats(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.00 kB", 80123456: "80.1 MB", 1.2e9: "1.20 GB", 5e15: "5.00 PB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q; want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{400 * time.Millisecond: "0.4s", 42 * time.Second: "42s", 190 * time.Second: "3m10s",
		5*time.Hour + 2*time.Minute: "5h02m", 76 * time.Hour: "3d04h", -2 * time.Second: "-2.0s"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q; want %q", d, got, want)
		}
	}
}

// TestCutFiles: a status file or run record a crash emptied or cut reads
// as ErrTorn; ReadAll skips it as if not yet written.
func TestCutFiles(t *testing.T) {
	state := t.TempDir()
	pid, start := self(t)
	write(t, state, Status{Format: Format, Target: "a", Mode: Realtime, PID: pid, PIDStart: start, State: Running})
	write(t, state, Status{Format: Format, Target: "b", Mode: Realtime, PID: pid, PIDStart: start, State: Running})
	for _, cut := range []string{"", "{\n  \"format\": 1,\n  \"tar"} {
		os.WriteFile(Path(state, "b", Realtime), []byte(cut), 0o640)
		if _, err := Read(Path(state, "b", Realtime)); !errors.Is(err, ErrTorn) {
			t.Errorf("Read of %q: %v; want ErrTorn", cut, err)
		}
		sts, err := ReadAll(state)
		if err != nil || len(sts) != 1 || sts[0].Target != "a" {
			t.Errorf("ReadAll with b's status %q = %v, %v; want a alone", cut, sts, err)
		}
		os.WriteFile(filepath.Join(state, "push_realtime.json"), []byte(cut), 0o640)
		if _, err := ReadRun(state, Realtime); !errors.Is(err, ErrTorn) {
			t.Errorf("ReadRun of %q: %v; want ErrTorn", cut, err)
		}
	}
	// A link planted at a status file is refused, naming it.
	os.Remove(Path(state, "b", Realtime))
	v := testutil.PlantLink(t, Path(state, "b", Realtime))
	_, err := Read(v.Link)
	v.Refused("Read", fmt.Sprint(err))
}
