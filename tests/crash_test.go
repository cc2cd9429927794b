package tests

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// idlePush starts a realtime push_realtime following a capture that does
// not exist, with its metrics served, and returns it with the metrics
// address.
func idlePush(t *testing.T) (*runningPush, string) {
	t.Helper()
	e := newPushEnv(t)
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "t", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec" })
return Config
`, e.out+"/t"))
	p := startPush(t, e, cfg, "--capture", "none", "--metrics-listen", "127.0.0.1:0")
	addrRE := regexp.MustCompile(`metrics at http://(127\.0\.0\.1:\d+)/metrics`)
	waitUntil(t, 20*time.Second, "the push to start", func() bool {
		return addrRE.MatchString(p.stderr.String()) && strings.Contains(p.stderr.String(), "following the current capture")
	})
	return p, addrRE.FindStringSubmatch(p.stderr.String())[1]
}

// diedOfSignal waits for the push to end and fails unless it was killed by
// one of the signals (SIGABRT when none is given): not exit status 2,
// which the service unit never restarts.
func diedOfSignal(t *testing.T, p *runningPush, within time.Duration, sigs ...syscall.Signal) {
	t.Helper()
	if len(sigs) == 0 {
		sigs = []syscall.Signal{syscall.SIGABRT}
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(within):
		t.Fatalf("push_realtime still runs %v on", within)
	}
	ws, _ := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || !slices.Contains(sigs, ws.Signal()) || p.cmd.ProcessState.ExitCode() == 2 {
		t.Fatalf("push_realtime ended with %v; want death by %v\n%.3000s", p.cmd.ProcessState, sigs, p.stderr.String())
	}
}

// TestCrashIsNotExit2Quit: SIGQUIT makes Go's runtime print every
// goroutine and exit with status 2; push_realtime dies of SIGABRT instead.
func TestCrashIsNotExit2Quit(t *testing.T) {
	p, _ := idlePush(t)
	if err := p.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	diedOfSignal(t, p, 10*time.Second)
	if !strings.Contains(p.stderr.String(), "SIGQUIT: quit") {
		t.Errorf("stderr lacks the runtime's report:\n%.2000s", p.stderr.String())
	}
}

// TestCrashIsNotExit2OutOfMemory causes a real fatal error of Go's
// runtime in a running push_realtime: its address space is capped at what
// it uses and 40 MiB more, less than the runtime reserves for its heap at
// a time (prlimit RLIMIT_AS), then a few thousand connections to its
// metrics server make it grow its heap. "fatal error: runtime: cannot
// allocate memory" would exit 2; it dies of SIGABRT. Under the same cap a
// new thread may fail first, in the C library ("runtime/cgo:
// pthread_create failed"), which aborts on its own and so proves nothing
// here: that run is tried again, up to five times.
func TestCrashIsNotExit2OutOfMemory(t *testing.T) {
	for try := 1; try <= 5; try++ {
		stderr := exhaustMemory(t)
		switch {
		case strings.Contains(stderr, "fatal error: "):
			return
		case strings.Contains(stderr, "pthread_create failed"):
			t.Logf("run %d: a thread's creation failed first (the C library aborts by itself); again", try)
		default:
			t.Fatalf("stderr lacks the runtime's fatal error:\n%.2000s", stderr)
		}
	}
	t.Fatal("in five runs the heap never failed before a thread's creation")
}

// exhaustMemory makes an idle push run out of address space and returns
// its stderr once it died of SIGABRT (or SIGSEGV).
func exhaustMemory(t *testing.T) string {
	t.Helper()
	p, addr := idlePush(t)
	pid := p.cmd.Process.Pid
	// Room for a few more threads (8 MiB of stack each) but not for
	// another 64 MiB heap arena: the heap is what fails.
	vsz := vmSize(t, pid) + 40<<20
	if err := unix.Prlimit(pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: vsz, Max: vsz}, nil); err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	req := "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", 2000)
	for i := 0; i < 5000 && p.cmd.ProcessState == nil; i++ {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			break // the server is gone
		}
		conns = append(conns, c)
		c.Write([]byte(req)) //nolint:errcheck // a half request keeps the server's goroutine
	}
	// Out of address space, the runtime may also fault in its own code
	// (seen in the garbage collector under load): it then reports the
	// signal and dies of it, SIGSEGV, which systemd restarts as well.
	diedOfSignal(t, p, 30*time.Second, syscall.SIGABRT, syscall.SIGSEGV)
	return p.stderr.String()
}

// vmSize returns a process's address space size in bytes.
func vmSize(t *testing.T, pid int) uint64 { return uint64(procKB(t, pid, "status", "VmSize:")) }
