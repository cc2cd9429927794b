package push

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/schedule"
)

func TestChunkPosition(t *testing.T) {
	store := t.TempDir()
	dir := filepath.Join(store, "cap1")
	os.MkdirAll(dir, 0o755)
	hdr := []byte{0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}
	for i, n := range []int{1000, 3000} {
		b := append(append([]byte(nil), hdr...), make([]byte, n-len(hdr))...)
		if err := os.WriteFile(filepath.Join(dir, "c"+string(rune('1'+i))+".pcap"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := indexCapture(store, "cap1")
	if err != nil || ix.total != 4000 {
		t.Fatalf("index %+v, %v; want 4000 bytes", ix, err)
	}
	if _, ok := ix.position(os.Getpid()); ok {
		t.Fatal("a position without an open chunk")
	}
	f, err := os.Open(filepath.Join(dir, "c2.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Read(make([]byte, 700))
	if pos, ok := ix.position(os.Getpid()); !ok || pos != 1700 {
		t.Errorf("position = %d, %v; want 1000 + 700", pos, ok)
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestScheduleIdlesUntilOpen moves a fake clock across a window: the
// target is idle, saying when the window opens, until it does.
func TestScheduleIdlesUntilOpen(t *testing.T) {
	defer func(d time.Duration) { SchedulePoll = d }(SchedulePoll)
	SchedulePoll = 5 * time.Millisecond
	sched, err := schedule.Parse([]string{"Mon-Fri 08:00-18:00"})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2021, 5, 28, 19, 0, 0, 0, time.UTC)} // Friday evening
	state := t.TempDir()
	p, err := New(Options{Config: &config.Config{Schedule: sched, Targets: []config.Target{{Desc: "all"}}}, StateDir: state, LogDir: t.TempDir(), Now: clock.now})
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
	time.Sleep(50 * time.Millisecond)
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
	clock.set(time.Date(2021, 5, 31, 8, 0, 0, 0, time.UTC))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("still idle after the window opened")
	}
	b, _ := os.ReadFile(filepath.Join(p.o.LogDir, "analytics_push_realtime.cur"))
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		lines = append(lines, l[strings.Index(l, "] ")+2:])
	}
	want := []string{"push all: idle: outside the schedule; it opens Mon 2021-05-31 08:00:00 UTC", "push all: the schedule's window opened"}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("analytics log (-want +got):\n%s", d)
	}
}
