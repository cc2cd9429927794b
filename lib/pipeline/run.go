package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pcappush/pcappush/lib/pipes"
)

// Running is a started pipeline.
type Running struct {
	p      Pipeline
	cmds   []*exec.Cmd
	mu     sync.Mutex
	states []*os.ProcessState // nil while a stage runs
	done   chan struct{}      // closed when every stage has exited
	// KillAfter is how long Stop waits after its second SIGTERM before
	// SIGKILL.
	KillAfter time.Duration
}

// Start starts every stage, joined by pipes, with their stderr written to
// stderr (an *os.File is handed to the processes directly).
func Start(p Pipeline, stderr io.Writer) (*Running, error) {
	if len(p.Stages) == 0 {
		return nil, errors.New("empty pipeline")
	}
	r := &Running{p: p, states: make([]*os.ProcessState, len(p.Stages)), done: make(chan struct{}), KillAfter: 5 * time.Second}
	var prevOut *os.File
	var toClose []*os.File
	defer func() {
		for _, f := range toClose {
			f.Close()
		}
	}()
	for i, s := range p.Stages {
		cmd := exec.Command(s.Path, s.Args...)
		if len(s.Env) > 0 {
			cmd.Env = append(os.Environ(), s.Env...)
		}
		cmd.Stderr = stderr
		cmd.ExtraFiles = s.ExtraFiles
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if i == 0 {
			cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		} else {
			cmd.Stdin = prevOut
		}
		if i < len(p.Stages)-1 {
			pr, pw, err := os.Pipe()
			if err != nil {
				r.kill()
				return nil, fmt.Errorf("pipe: %w", err)
			}
			pipes.Grow(pw)
			cmd.Stdout = pw
			toClose = append(toClose, pr, pw)
			prevOut = pr
		}
		if err := cmd.Start(); err != nil {
			r.kill()
			return nil, fmt.Errorf("start %s: %w", s.Name, err)
		}
		r.cmds = append(r.cmds, cmd)
	}
	go r.wait()
	return r, nil
}

func (r *Running) wait() {
	var wg sync.WaitGroup
	for i, c := range r.cmds {
		wg.Add(1)
		go func(i int, c *exec.Cmd) {
			defer wg.Done()
			c.Wait() //nolint:errcheck // the state is kept below
			r.mu.Lock()
			r.states[i] = c.ProcessState
			r.mu.Unlock()
		}(i, c)
	}
	wg.Wait()
	close(r.done)
}

// kill ends the stages already started when Start fails half way.
func (r *Running) kill() {
	for _, c := range r.cmds {
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL) //nolint:errcheck // it may have exited
		c.Wait()                                      //nolint:errcheck // reaping only
	}
}

// Pipeline returns what is running.
func (r *Running) Pipeline() Pipeline { return r.p }

// Done is closed when every stage has exited.
func (r *Running) Done() <-chan struct{} { return r.done }

// Alive reports, stage by stage, which are still running.
func (r *Running) Alive() []bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]bool, len(r.states))
	for i, st := range r.states {
		out[i] = st == nil
	}
	return out
}

// PIDs returns the stages' process ids.
func (r *Running) PIDs() []int {
	out := make([]int, len(r.cmds))
	for i, c := range r.cmds {
		out[i] = c.Process.Pid
	}
	return out
}

// Err reports how the pipeline ended: nil when every stage exited 0, or an
// error naming each stage that failed and how. Call it after Done.
func (r *Running) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs StageErrors
	for i, st := range r.states {
		if st != nil && !st.Success() {
			errs = append(errs, &StageError{Stage: r.p.Stages[i].Name, State: st})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// StageErrors are the stages of a pipeline that failed, in order.
type StageErrors []*StageError

func (e StageErrors) Error() string {
	parts := make([]string, len(e))
	for i, s := range e {
		parts[i] = s.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the stage errors.
func (e StageErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, s := range e {
		out[i] = s
	}
	return out
}

// StageError is a stage that did not exit 0.
type StageError struct {
	Stage string
	State *os.ProcessState
}

func (e *StageError) Error() string {
	if ws, ok := e.State.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("%s killed by signal %s", e.Stage, ws.Signal())
	}
	return fmt.Sprintf("%s exited with status %d", e.Stage, e.State.ExitCode())
}

// Stop ends the pipeline from its head and waits up to timeout for the
// stages to finish their work; then it sends SIGTERM to all, and SIGKILL a
// few seconds later. It returns Err.
func (r *Running) Stop(timeout time.Duration) error {
	r.signal(0, syscall.SIGTERM)
	select {
	case <-r.done:
		return r.Err()
	case <-time.After(timeout):
	}
	for i := range r.cmds {
		r.signal(i, syscall.SIGTERM)
	}
	select {
	case <-r.done:
	case <-time.After(r.KillAfter):
		for i := range r.cmds {
			r.signal(i, syscall.SIGKILL)
		}
		<-r.done
	}
	return r.Err()
}

// Kill sends SIGKILL to every stage and waits for them.
func (r *Running) Kill() {
	for i := range r.cmds {
		r.signal(i, syscall.SIGKILL)
	}
	<-r.done
}

// signal sends sig to stage i; SIGKILL goes to the stage's whole process
// group, so that its own children (a pipe command) die with it.
func (r *Running) signal(i int, sig syscall.Signal) {
	r.mu.Lock()
	exited := r.states[i] != nil
	r.mu.Unlock()
	if exited {
		return
	}
	pid := r.cmds[i].Process.Pid
	if sig == syscall.SIGKILL {
		pid = -pid
	}
	syscall.Kill(pid, sig) //nolint:errcheck // it may have just exited
}
