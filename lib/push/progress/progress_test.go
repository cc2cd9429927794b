package progress

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/push/status"
)

// fake is a push whose progress the test moves.
type fake struct {
	mu  sync.Mutex
	sts []status.Status
}

func (f *fake) src() []status.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]status.Status(nil), f.sts...)
}

func (f *fake) set(i int, done, splits int64, state, detail string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sts[i].Progress = &status.Progress{Done: done, Total: f.sts[i].Progress.Total}
	f.sts[i].Splits, f.sts[i].State, f.sts[i].Detail = splits, state, detail
}

func newFake() *fake {
	return &fake{sts: []status.Status{
		{Target: "pcap-all", State: status.Running, Progress: &status.Progress{Total: 24e6}},
		{Target: "pcap-tcp", State: status.Running, Progress: &status.Progress{Total: 24e6}},
	}}
}

// locked is a buffer safe to read while written.
type locked struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *locked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *locked) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the output satisfies ok.
func waitFor(t *testing.T, out *locked, what string, ok func(string) bool) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s := out.String(); ok(s) {
			return s
		}
	}
	t.Fatalf("no %s in:\n%q", what, out.String())
	return ""
}

func lines(n int) func(string) bool {
	return func(s string) bool { return strings.Count(s, "\n") >= n }
}

func TestLines(t *testing.T) {
	f := newFake()
	var out locked
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Lines(ctx, &out, f.src, 50*time.Millisecond, "push_realtime: "); close(done) }()
	waitFor(t, &out, "first lines", lines(2))
	f.set(0, 12e6, 2, status.Running, "")
	waitFor(t, &out, "second lines", lines(4))
	f.set(0, 24e6, 5, status.Stopped, "finished capture cap1")
	f.set(1, 3e6, 0, status.Failed, "pcap_split exited with status 1")
	cancel()
	<-done
	got := out.String()
	for _, re := range []string{
		`(?m)^push_realtime: pcap-all: 0 B of 24.0 MB \(0%\), 0 splits, 0 B/s, ETA -$`,
		`(?m)^push_realtime: pcap-all: 12.0 MB of 24.0 MB \(50%\), 2 splits, \d+\.\d+ MB/s, ETA \d+\.\ds$`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("lines lack %s:\n%s", re, got)
		}
	}
	for _, re := range []string{
		`(?m)^push_realtime: pcap-all: 24.0 MB of 24.0 MB \(100%\), 5 splits in \d+\.\ds: finished capture cap1$`,
		`(?m)^push_realtime: pcap-tcp: 3.00 MB of 24.0 MB \(12%\), 0 splits in \d+\.\ds: failed: pcap_split exited with status 1$`,
	} {
		if n := len(regexp.MustCompile(re).FindAllString(got, -1)); n != 1 {
			t.Errorf("%d lines match %s; want 1:\n%s", n, re, got)
		}
	}
}

func TestBars(t *testing.T) {
	f := newFake()
	var out locked
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Bars(ctx, &out, f.src); close(done) }()
	waitFor(t, &out, "bars", func(s string) bool { return strings.Contains(s, "0 splits") })
	f.set(0, 12e6, 2, status.Running, "")
	f.set(1, 6e6, 1, status.Running, "")
	mid := waitFor(t, &out, "bars at 12 MB and 6 MB", func(s string) bool {
		return strings.Contains(s, "12.0 MB / 24.0 MB") && strings.Contains(s, "6.0 MB / 24.0 MB")
	})
	f.set(0, 24e6, 5, status.Stopped, "finished capture cap1")
	f.set(1, 6e6, 1, status.Failed, "pcap_split exited with status 1")
	cancel()
	<-done
	final := out.String()[len(mid):]
	for _, want := range []string{"pcap-all", "12.0 MB / 24.0 MB", "2 splits", "6.0 MB / 24.0 MB"} {
		if !strings.Contains(mid, want) {
			t.Errorf("bars while running lack %q:\n%q", want, mid)
		}
	}
	if !regexp.MustCompile(`pcap-all +\[=+\] +24\.0 MB / 24\.0 MB +done +5 splits`).MatchString(final) ||
		!regexp.MustCompile(`pcap-tcp +\[=+[^\]]*\] +6\.0 MB / 24\.0 MB +failed +1 splits`).MatchString(final) {
		t.Errorf("final bars:\n%q", final)
	}
	if !strings.Contains(mid, "\x1b[") {
		t.Errorf("bars are not redrawn in place (no escape sequences):\n%q", mid)
	}
}
