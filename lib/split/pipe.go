package split

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// PipeSink passes each split's bytes through a shell command (stdin to
// stdout, e.g. "gzip -c -1") before they reach the inner sink. The
// command's exit status is checked before the split is committed.
type PipeSink struct {
	Inner   Sink
	Command string    // run with /bin/sh -c
	Stderr  io.Writer // the command's stderr; nil discards it
}

var _ Sink = PipeSink{}

// Create starts the command with its output going to a new inner part.
func (s PipeSink) Create(name string) (Part, error) {
	inner, err := s.Inner.Create(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/bin/sh", "-c", s.Command)
	out := &outWriter{w: inner}
	cmd.Stdout = out
	if fp, ok := inner.(interface{ File() *os.File }); ok {
		cmd.Stdout = fp.File()
	}
	cmd.Stderr = s.Stderr
	stdin, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		inner.Abort() //nolint:errcheck // the start error is the one to report
		return nil, fmt.Errorf("pipe command %q: %w", s.Command, err)
	}
	return &pipePart{cmd: cmd, stdin: stdin, inner: inner, out: out, command: s.Command}, nil
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
	stdin   io.WriteCloser
	inner   Part
	out     *outWriter
	command string
	waited  bool
}

func (p *pipePart) Write(b []byte) (int, error) {
	n, err := p.stdin.Write(b)
	if err != nil {
		return n, p.failure(err)
	}
	return n, nil
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
	err := p.cmd.Wait()
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

func (p *pipePart) Commit(name string) error {
	if err := p.stdin.Close(); err != nil {
		return fmt.Errorf("pipe command %q: %w", p.command, err)
	}
	if err := p.wait(); err != nil {
		return err
	}
	return p.inner.Commit(name)
}

func (p *pipePart) Abort() error {
	p.stdin.Close()
	if !p.waited && p.cmd.Process != nil {
		p.cmd.Process.Kill() //nolint:errcheck // it may have exited already
	}
	p.wait() //nolint:errcheck // aborting: the exit status does not matter
	return p.inner.Abort()
}
