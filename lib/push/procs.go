package push

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/pipeline"
	"github.com/pcappush/pcappush/lib/push/status"
)

// Pipelines starts a target's pipelines: as processes (the default), or
// a fake in tests.
type Pipelines interface {
	// Start starts pl with its stages' words (stderr) written to log, line
	// by line.
	Start(pl pipeline.Pipeline, log io.Writer) (Proc, error)
}

// Proc is a started pipeline.
type Proc interface {
	// Events are its stages' events as they come; the channel is closed
	// once every stage has exited and its last event is read.
	Events() <-chan event.Event
	// Done is closed once every stage has exited and its words are
	// logged.
	Done() <-chan struct{}
	// Stop ends the pipeline from its head, as SIGTERM does, so that the
	// split in progress is published; what is left after timeout is
	// killed. It returns once the pipeline has ended.
	Stop(timeout time.Duration)
	// Err says how it ended, once Done: nil when every stage exited 0.
	Err() error
	// Stages are its stages' names, liveness and pids.
	Stages() []status.Stage
}

// eventsFD is the descriptor a stage writes its events to: its first
// extra file.
const eventsFD = 3

// processes runs pipelines as processes joined by pipes (lib/pipeline).
// Each stage gets a pipe of its own for its events, as descriptor 3, and
// --events 3 before its other arguments.
type processes struct{}

var _ Pipelines = processes{}

func (processes) Start(pl pipeline.Pipeline, log io.Writer) (Proc, error) {
	stages := make([]pipeline.Stage, len(pl.Stages))
	var readers, writers []*os.File
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			f.Close()
		}
	}
	for i, s := range pl.Stages {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(readers)
			closeAll(writers)
			return nil, fmt.Errorf("pipe: %w", err)
		}
		readers, writers = append(readers, r), append(writers, w)
		s.Args = append([]string{"--events", fmt.Sprint(eventsFD)}, s.Args...)
		s.ExtraFiles = []*os.File{w}
		stages[i] = s
	}
	lr, lw, err := os.Pipe()
	if err != nil {
		closeAll(readers)
		closeAll(writers)
		return nil, fmt.Errorf("pipe: %w", err)
	}
	run, err := pipeline.Start(pipeline.Pipeline{Stages: stages}, lw)
	lw.Close()
	closeAll(writers) // the stages hold them now
	if err != nil {
		lr.Close()
		closeAll(readers)
		return nil, err
	}
	p := &process{run: run, events: make(chan event.Event), done: make(chan struct{})}
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Go(func() {
			defer r.Close()
			readEvents(r, p.events)
		})
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		defer lr.Close()
		copyLines(log, lr)
	}()
	go func() {
		wg.Wait()
		close(p.events)
	}()
	go func() {
		<-run.Done()
		<-copied
		close(p.done)
	}()
	return p, nil
}

// process is a pipeline of processes.
type process struct {
	run    *pipeline.Running
	events chan event.Event
	done   chan struct{}
}

func (p *process) Events() <-chan event.Event { return p.events }
func (p *process) Done() <-chan struct{}      { return p.done }
func (p *process) Stop(timeout time.Duration) { p.run.Stop(timeout) } //nolint:errcheck // Err reports it
func (p *process) Err() error                 { return p.run.Err() }

func (p *process) Stages() []status.Stage {
	names, alive, pids := p.run.Pipeline().Names(), p.run.Alive(), p.run.PIDs()
	out := make([]status.Stage, len(names))
	for i, n := range names {
		out[i] = status.Stage{Name: n, Up: alive[i], PID: pids[i]}
	}
	return out
}

// readEvents passes the events read from r to out until r ends. A line
// that is not an event becomes a warning naming it.
func readEvents(r io.Reader, out chan<- event.Event) {
	er := event.NewReader(r)
	for {
		e, err := er.Next()
		switch {
		case errors.Is(err, event.ErrBadLine):
			e = event.Event{Time: time.Now(), Type: event.Warning, Tool: "push_realtime", Message: err.Error()}
		case err != nil:
			return
		}
		out <- e
	}
}

// copyLines copies r into w line by line, so that log files rotate between
// lines.
func copyLines(w io.Writer, r io.Reader) {
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			w.Write(line) //nolint:errcheck // logging is best effort
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}
