package push

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jonboulle/clockwork"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/schedule"
)

// TestScheduleIdlesUntilOpen moves a fake clock across a window: the
// target is idle, saying when the window opens, until it does.
func TestScheduleIdlesUntilOpen(t *testing.T) {
	t.Parallel()
	sched, err := schedule.Parse([]string{"Mon-Fri 08:00-18:00"})
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(time.Date(2021, 5, 28, 19, 0, 0, 0, time.UTC)) // Friday evening
	state, logDir := t.TempDir(), t.TempDir()
	p, err := New(context.Background(), Options{Config: &config.Config{Schedule: sched, Targets: []config.Target{{Desc: "all"}}},
		StateDir: state, LogDir: logDir, Store: t.TempDir(), Clock: clock, Tools: tools})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tg := p.targetList()[0]
	if p.open() {
		t.Fatal("open on Friday evening")
	}
	done := make(chan struct{})
	go func() { p.idleUntilOpen(context.Background(), tg); close(done) }()
	if err := clock.BlockUntilContext(context.Background(), 1); err != nil { // idle, sleeping SchedulePoll
		t.Fatal(err)
	}
	st, err := status.Read(status.Path(state, "all", status.Realtime))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != status.Idle || st.Detail != "outside the schedule; it opens Mon 2021-05-31 08:00:00 UTC" {
		t.Errorf("status %s (%s); want idle until Monday 08:00", st.State, st.Detail)
	}
	select {
	case <-done:
		t.Fatal("stopped idling while the schedule is closed")
	default:
	}
	clock.Advance(time.Date(2021, 5, 31, 8, 0, 0, 0, time.UTC).Sub(clock.Now()))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("still idle after the window opened")
	}
	b, _ := os.ReadFile(filepath.Join(logDir, "analytics_push_realtime.cur"))
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		lines = append(lines, l[strings.Index(l, "] ")+2:])
	}
	want := []string{"push all: idle: outside the schedule; it opens Mon 2021-05-31 08:00:00 UTC", "push all: the schedule's window opened"}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("analytics log (-want +got):\n%s", d)
	}
}
