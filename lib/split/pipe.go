package split

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/pcappush/pcappush/lib/pipes"
)

// PipeSink passes each split's bytes through a shell command (stdin to
// stdout, e.g. "gzip -c -1") before they reach the inner sink. The
// command's exit status is checked before the split is committed.
//
// A command that hangs is killed: one that reads nothing for Timeout while
// bytes wait, or that does not exit within Timeout of the end of its
// input. The split then fails and nothing is published.
type PipeSink struct {
	Inner   Sink
	Command string        // run with /bin/sh -c
	Stderr  io.Writer     // the command's stderr; nil discards it
	Timeout time.Duration // 0 means DefaultPipeTimeout
}

// DefaultPipeTimeout is how long a pipe command may hang.
const DefaultPipeTimeout = 5 * time.Minute

var _ Sink = PipeSink{}

// Create starts the command with its output going to a new inner part.
func (s PipeSink) Create(name string) (Part, error) {
	inner, err := s.Inner.Create(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/bin/sh", "-c", "--", s.Command) // "--": a command starting with "-" is not an option of sh
	out := &outWriter{w: inner}
	cmd.Stdout = out
	if fp, ok := inner.(interface{ File() *os.File }); ok {
		cmd.Stdout = fp.File()
	}
	cmd.Stderr = s.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a hung command dies with its children
	pr, stdin, err := os.Pipe()                           // our end is pollable: writes take deadlines
	if err == nil {
		pipes.Grow(stdin)
		cmd.Stdin = pr
		err = cmd.Start()
		pr.Close()
		if err != nil {
			stdin.Close()
		}
	}
	if err != nil {
		inner.Abort() //nolint:errcheck // the start error is the one to report
		return nil, fmt.Errorf("pipe command %q: %w", s.Command, err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultPipeTimeout
	}
	return &pipePart{cmd: cmd, stdin: stdin, inner: inner, out: out, command: s.Command, timeout: timeout}, nil
}

// outWriter passes the command's output to the inner part and keeps the
// first write error: the command then dies of SIGPIPE, and its exit
// status alone would hide why.
type outWriter struct {
	w   io.Writer
	err error
}

func (o *outWriter) Write(b []byte) (int, error) {
	n, err := o.w.Write(b)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

type pipePart struct {
	cmd     *exec.Cmd
	stdin   *os.File
	inner   Part
	out     *outWriter
	command string
	timeout time.Duration
	waited  bool
	hung    error // set when the command was killed for hanging
}

func (p *pipePart) Write(b []byte) (int, error) {
	p.stdin.SetWriteDeadline(time.Now().Add(p.timeout)) //nolint:errcheck // a pipe from os.Pipe takes deadlines
	n, err := p.stdin.Write(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		p.kill(fmt.Errorf("pipe command %q read nothing for %v: killed", p.command, p.timeout))
	}
	if err != nil {
		return n, p.failure(err)
	}
	return n, nil
}

// kill ends the command and its children, recording why.
func (p *pipePart) kill(why error) {
	if p.hung == nil {
		p.hung = why
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // it may have exited
}

// failure explains a write error: usually the command has exited.
func (p *pipePart) failure(err error) error {
	p.stdin.Close()
	if werr := p.wait(); werr != nil {
		return werr
	}
	return fmt.Errorf("pipe command %q stopped reading: %w", p.command, err)
}

func (p *pipePart) wait() error {
	if p.waited {
		return nil
	}
	p.waited = true
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(p.timeout):
		p.kill(fmt.Errorf("pipe command %q did not finish within %v of the end of its input: killed", p.command, p.timeout))
		err = <-done
	}
	if p.hung != nil {
		return p.hung
	}
	if p.out.err != nil { // set by the copying goroutine, which Wait has ended
		return fmt.Errorf("pipe command %q output: %w", p.command, p.out.err)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("pipe command %q failed: %s", p.command, ee.ProcessState)
	}
	if err != nil {
		return fmt.Errorf("pipe command %q: %w", p.command, err)
	}
	return nil
}

func (p *pipePart) Commit(names Names) (Published, error) {
	if err := p.stdin.Close(); err != nil {
		return Published{}, fmt.Errorf("split %s: pipe command %q: %w", names.Name(), p.command, err)
	}
	if err := p.wait(); err != nil {
		return Published{}, fmt.Errorf("split %s: %w", names.Name(), err)
	}
	return p.inner.Commit(names)
}

func (p *pipePart) Abort() error {
	p.stdin.Close()
	if !p.waited && p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // it may have exited already
	}
	p.wait() //nolint:errcheck // aborting: the exit status does not matter
	return p.inner.Abort()
}
