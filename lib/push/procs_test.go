package push

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/pipeline"
)

// TestProcessesEvents runs a real pipeline of two processes: each stage
// gets --events 3 and its own pipe there; what they write to it arrives
// as events (a line that is not one as a warning naming it), their stderr
// reaches the log line by line, untouched, and Done, Err and Stages say
// how they ended.
func TestProcessesEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stage := func(name, body string) pipeline.Stage {
		p := filepath.Join(dir, name)
		script := "#!/bin/sh\n[ \"$1 $2\" = \"--events 3\" ] || { echo \"$0: no --events 3: $*\" >&2; exit 2; }\n" + body
		if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return pipeline.Stage{Path: p}
	}
	pl := pipeline.Pipeline{Stages: []pipeline.Stage{
		stage("head", `echo '{"time":"2021-05-24T09:50:30Z","tool":"stream_cat","type":"position","position":{"chunk":"c1","offset":5,"read":5,"total":10}}' >&3
echo "stream_cat: a word for a person" >&2
echo data`),
		stage("tail", `cat >/dev/null
echo '{"time":"2021-05-24T09:50:31Z","tool":"pcap_split","type":"warning","message":"a warning"}' >&3
echo 'not an event' >&3
echo "pcap_split: warning: a warning" >&2
exit 3`),
	}}
	var log testutil.SyncBuffer
	proc, err := processes{}.Start(pl, &log)
	if err != nil {
		t.Fatal(err)
	}
	var got []event.Event
	for e := range proc.Events() {
		got = append(got, e)
	}
	select {
	case <-proc.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed after the events ended")
	}
	if len(got) != 3 {
		t.Fatalf("events %+v; want 3", got)
	}
	var pos, warn, bad bool
	for _, e := range got {
		switch {
		case e.Type == event.Position && e.Position != nil && e.Position.Read == 5 && e.Position.Total == 10:
			pos = true
		case e.Type == event.Warning && e.Tool == "pcap_split" && e.Message == "a warning":
			warn = true
		case e.Type == event.Warning && e.Tool == "push_realtime" && strings.Contains(e.Message, "not an event"):
			bad = true
		}
	}
	if !pos || !warn || !bad {
		t.Errorf("events %+v; want the position, the warning and the bad line as a warning", got)
	}
	for _, w := range []string{"stream_cat: a word for a person\n", "pcap_split: warning: a warning\n"} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("log %q lacks %q", log.String(), w)
		}
	}
	if err := proc.Err(); err == nil || !strings.Contains(err.Error(), "status 3") {
		t.Errorf("Err = %v; want the tail's exit status 3", err)
	}
	for _, s := range proc.Stages() {
		if s.Up || s.PID == 0 {
			t.Errorf("stage %+v after the end; want down, with its pid", s)
		}
	}
}
