package child

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

func init() {
	Handle("test-echo", func(req []byte) []byte { return append([]byte("echo:"), req...) })
	Handle("test-alloc", func(req []byte) []byte {
		n, _ := strconv.Atoi(string(req))
		b := make([]byte, n<<20)
		for i := range b {
			b[i] = 1 // touch every page: the memory is really used
		}
		return []byte(strconv.Itoa(len(b)))
	})
	Handle("test-spin", func(req []byte) []byte {
		for {
			time.Sleep(time.Millisecond) // never answers
		}
	})
	Handle("test-panic", func(req []byte) []byte { panic("boom") })
}

func TestRunAnswers(t *testing.T) {
	out, err := Run(context.Background(), "test-echo", []byte("hello"), Limits{Timeout: 10 * time.Second, Memory: 256 << 20})
	if err != nil || string(out) != "echo:hello" {
		t.Fatalf("Run(test-echo) = %q, %v; want echo:hello", out, err)
	}
}

func TestRunMemoryLimit(t *testing.T) {
	if testutil.Race {
		t.Skip("the race detector's runtime does not fit a 256 MiB data limit; tests/ checks the limits on the tools as built")
	}
	out, err := Run(context.Background(), "test-alloc", []byte("64"), Limits{Timeout: 20 * time.Second, Memory: 256 << 20})
	if err != nil || string(out) != strconv.Itoa(64<<20) {
		t.Fatalf("64 MiB under a 256 MiB limit: %q, %v", out, err)
	}
	_, err = Run(context.Background(), "test-alloc", []byte("1024"), Limits{Timeout: 20 * time.Second, Memory: 256 << 20})
	var ce *Error
	if !errors.As(err, &ce) || ce.TimedOut || ce.Ended == "" {
		t.Fatalf("1 GiB under a 256 MiB limit: %v; want an *Error saying how the child ended", err)
	}
	// The runtime's words vary: "fatal error: out of memory" where the
	// allocation fails, a fault where the collector's own does.
	if !strings.Contains(err.Error(), "256 MiB limit") || ce.Stderr == "" {
		t.Errorf("message %q does not name the limit, or the child's stderr was lost: %q", err, ce.Stderr)
	}
	if ce.MaxRSS > 300<<20 {
		t.Errorf("the child reached %d MiB, over its 256 MiB limit", ce.MaxRSS>>20)
	}
}

func TestRunDeadline(t *testing.T) {
	start := time.Now()
	_, err := Run(context.Background(), "test-spin", nil, Limits{Timeout: 300 * time.Millisecond})
	var ce *Error
	if !errors.As(err, &ce) || !ce.TimedOut {
		t.Fatalf("a spinning child: %v; want a timed-out *Error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Run returned after %v for a 300 ms deadline", d)
	}
	noChild(t, "test-spin")
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := Run(ctx, "test-spin", nil, Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v; want context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Run returned %v after the cancel", d)
	}
	noChild(t, "test-spin")
}

func TestRunCrash(t *testing.T) {
	_, err := Run(context.Background(), "test-panic", nil, Limits{Timeout: 10 * time.Second})
	var ce *Error
	if !errors.As(err, &ce) || ce.TimedOut || !strings.Contains(ce.Error(), "panic: boom") {
		t.Fatalf("a panicking child: %v; want an *Error quoting the panic", err)
	}
}

// noChild fails when a child doing name is still alive.
func noChild(t *testing.T, name string) {
	t.Helper()
	m, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err == nil && strings.HasPrefix(string(b), argv0+name+"\x00") {
			t.Errorf("child %s still runs: %s", name, p)
		}
	}
}
