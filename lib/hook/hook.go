package hook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Defaults of a Runner.
const (
	DefaultTimeout = 30 * time.Second
	DefaultJobs    = 2
	MaxJobs        = 64
)

// FailurePrefix begins the line a failure is reported with, after the
// Runner's Prefix.
const FailurePrefix = "post failed for "

// Env returns the environment variables a command is told split s in.
func Env(s ledger.Entry) []string {
	return []string{
		"PCAPPUSH_SPLIT_NAME=" + s.Name,
		"PCAPPUSH_SPLIT_BYTES=" + strconv.FormatInt(s.Bytes, 10),
		"PCAPPUSH_SPLIT_PACKETS=" + strconv.FormatInt(s.Packets, 10),
		"PCAPPUSH_SPLIT_FIRST_NS=" + strconv.FormatInt(s.First, 10),
		"PCAPPUSH_SPLIT_LAST_NS=" + strconv.FormatInt(s.Last, 10),
	}
}

// Args returns the five arguments a command is given for split s: its
// name, bytes, packets, and first and last packet times.
func Args(s ledger.Entry) []string {
	return []string{s.Name, strconv.FormatInt(s.Bytes, 10), strconv.FormatInt(s.Packets, 10),
		strconv.FormatInt(s.First, 10), strconv.FormatInt(s.Last, 10)}
}

// Runner runs Command for each split, at most Jobs at once. Its zero
// fields take the defaults; set them before the first Run.
type Runner struct {
	Command string
	Timeout time.Duration // default DefaultTimeout
	Jobs    int           // default DefaultJobs
	Stderr  io.Writer     // failures and the command's output; nil: discarded
	Prefix  string        // begins every line the Runner writes, e.g. "pcap_split: "
	Events  *event.Writer // a failure's event goes there too (nil: none)

	once     sync.Once
	slots    chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex // serialises the Runner's own lines
	failures atomic.Int64
}

func (r *Runner) init() {
	r.once.Do(func() {
		if r.Timeout <= 0 {
			r.Timeout = DefaultTimeout
		}
		if r.Jobs <= 0 {
			r.Jobs = DefaultJobs
		}
		if r.Stderr == nil {
			r.Stderr = io.Discard
		}
		r.slots = make(chan struct{}, r.Jobs)
	})
}

// Run starts the command for s once fewer than Jobs are running, waiting
// for one to end otherwise, and returns without waiting for it.
func (r *Runner) Run(s ledger.Entry) {
	r.init()
	select {
	case r.slots <- struct{}{}:
	default:
		r.printf("post: %d commands still running; waiting for one to end before %s", r.Jobs, s.Name)
		r.slots <- struct{}{}
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.slots }()
		if err := r.run(s); err != nil {
			r.failures.Add(1)
			msg := fmt.Sprintf("%s%s: %v", FailurePrefix, s.Name, err)
			r.printf("%s", msg)
			r.Events.PostFailed(s, msg)
		}
	}()
}

// Wait waits for every command started to end.
func (r *Runner) Wait() { r.wg.Wait() }

// Failures returns how many commands have failed.
func (r *Runner) Failures() int64 { return r.failures.Load() }

func (r *Runner) printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.Stderr, r.Prefix+format+"\n", args...)
}

// oneWord is a command run directly rather than by the shell.
var oneWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// Cmd returns the command for s, not started: one word is run with the
// five arguments, anything else by /bin/sh -c with them as $1 to $5.
func Cmd(command string, s ledger.Entry) *exec.Cmd {
	var cmd *exec.Cmd
	if oneWord.MatchString(command) {
		cmd = exec.Command(command, Args(s)...)
	} else {
		cmd = exec.Command("/bin/sh", append([]string{"-c", "--", command, "post"}, Args(s)...)...)
	}
	cmd.Env = append(os.Environ(), Env(s)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// run runs the command for s to its end or its timeout.
func (r *Runner) run(s ledger.Entry) error {
	cmd := Cmd(r.Command, s)
	if f, ok := r.Stderr.(*os.File); ok {
		cmd.Stdout, cmd.Stderr = f, f
	} else {
		w := &lockedWriter{w: r.Stderr, mu: &r.mu}
		cmd.Stdout, cmd.Stderr = w, w
		cmd.WaitDelay = time.Second // a background child keeping the output open
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start %q: %w", r.Command, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.Timeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // it may have just exited
		case <-done:
		}
	}()
	err := cmd.Wait()
	close(done)
	if ctx.Err() != nil {
		return fmt.Errorf("timed out after %v; killed", r.Timeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return errors.New(ee.String())
	}
	return err
}

// lockedWriter serialises the commands' output with the Runner's lines.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
