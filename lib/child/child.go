package child

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// argv0 prefixes the name in a child's argv[0]; ps shows it.
const argv0 = "pcappush-child:"

// Func is work done in a child: it gets the request and returns the
// answer.
type Func func(req []byte) []byte

// Limits bound a child.
type Limits struct {
	Timeout time.Duration // wall-clock time before it is killed; 0: none
	Memory  int64         // RLIMIT_DATA in bytes; 0: none
	// MaxAnswer bounds the answer read from the child; 0: 64 MiB.
	MaxAnswer int64
}

// DefaultMaxAnswer is the largest answer read when Limits.MaxAnswer is 0.
const DefaultMaxAnswer = 64 << 20

// Error is a child that did not answer.
type Error struct {
	Name     string        // the work's name
	TimedOut bool          // killed at the deadline
	Timeout  time.Duration // the deadline
	Memory   int64         // its memory limit, bytes (0: none)
	MaxRSS   int64         // its peak resident memory, bytes
	Ended    string        // how it ended: "exit status 2", "signal: aborted", ...
	Stderr   string        // the start of what it wrote on stderr
	Err      error         // the cause when it could not be run
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	case e.TimedOut:
		return fmt.Sprintf("%s: still running after %v: stopped", e.Name, e.Timeout)
	}
	msg := fmt.Sprintf("%s: the child process ended without an answer (%s, peak memory %d MiB", e.Name, e.Ended, e.MaxRSS>>20)
	if e.Memory > 0 {
		msg += fmt.Sprintf(" of a %d MiB limit", e.Memory>>20)
	}
	msg += ")"
	if line := firstLine(e.Stderr); line != "" {
		msg += ": " + line
	}
	return msg
}

// Unwrap returns the cause when the child could not be run.
func (e *Error) Unwrap() error { return e.Err }

// firstLine returns the first line of s that says something: Go's fatal
// error line comes before its goroutine dump.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:") {
			return l
		}
	}
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// Handle makes fn the work called name. Call it from an init function. In
// a child started by Run for name it runs fn on the request and exits the
// process; otherwise it returns at once.
func Handle(name string, fn Func) {
	if len(os.Args) < 1 || os.Args[0] != argv0+name {
		return
	}
	os.Exit(serve(fn, os.Args[1:], os.Stdin, os.Stdout))
}

// serve is the child's side: limits, request, work, answer.
func serve(fn Func, args []string, in io.Reader, out io.Writer) int {
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}) //nolint:errcheck // a core file is only a waste
	if len(args) > 0 {
		if n, err := strconv.ParseInt(args[0], 10, 64); err == nil && n > 0 {
			if err := unix.Setrlimit(unix.RLIMIT_DATA, &unix.Rlimit{Cur: uint64(n), Max: uint64(n)}); err != nil {
				fmt.Fprintf(os.Stderr, "setrlimit: %v\n", err)
				return 1
			}
		}
	}
	req, err := io.ReadAll(in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "read request: %v\n", err)
		return 1
	}
	if _, err := out.Write(fn(req)); err != nil {
		fmt.Fprintf(os.Stderr, "write answer: %v\n", err)
		return 1
	}
	return 0
}

// Run runs the work called name on req in a child process and returns its
// answer. The child is killed when lim.Timeout passes or ctx ends; an
// ended ctx gives ctx's error, anything else that keeps the child from
// answering an *Error.
func Run(ctx context.Context, name string, req []byte, lim Limits) ([]byte, error) {
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if lim.Timeout > 0 {
		rctx, cancel = context.WithTimeout(ctx, lim.Timeout)
	}
	defer cancel()
	cmd := exec.CommandContext(rctx, "/proc/self/exe", strconv.FormatInt(lim.Memory, 10))
	cmd.Args[0] = argv0 + name
	cmd.Stdin = bytes.NewReader(req)
	max := lim.MaxAnswer
	if max <= 0 {
		max = DefaultMaxAnswer
	}
	answer := &capped{max: max}
	stderr := &head{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = answer, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", name, ctx.Err())
	}
	e := &Error{Name: name, Timeout: lim.Timeout, Memory: lim.Memory, Stderr: stderr.String()}
	if cmd.ProcessState == nil {
		e.Err = err
		return nil, e
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		e.MaxRSS = ru.Maxrss << 10
	}
	switch {
	case rctx.Err() != nil:
		e.TimedOut = true
		return nil, e
	case answer.over:
		e.Err = fmt.Errorf("answer longer than %d bytes", max)
		return nil, e
	case err != nil:
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			e.Err = err
			return nil, e
		}
		e.Ended = ee.String()
		return nil, e
	}
	return answer.b.Bytes(), nil
}

// capped keeps at most max bytes and notes when more came.
type capped struct {
	b    bytes.Buffer
	max  int64
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if int64(c.b.Len()+len(p)) > c.max {
		c.over = true
		return 0, errors.New("answer too long")
	}
	return c.b.Write(p)
}

// head keeps the first max bytes written: a Go runtime's fatal error
// line comes before its goroutine dump.
type head struct {
	b   []byte
	max int
}

func (h *head) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (h *head) String() string { return string(h.b) }
