package filter

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/pcappush/pcappush/lib/bpf"
	"github.com/pcappush/pcappush/lib/feed"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// ReadSize is the size of each read of the input: small enough that the
// bytes just read are still in the CPU's cache when they are parsed and
// filtered, large enough that reads are few. It also bounds the runs of
// kept records written with one call.
const ReadSize = 256 << 10

// Stats count what Run did.
type Stats struct {
	Packets int64 // packets read, clock ticks not included
	Kept    int64 // packets written
	Ticks   int64 // clock ticks passed on
}

// Options say which program filters a stream.
type Options struct {
	Expr string // the filter expression
	// Compiled, when not nil, filters streams of its link type without
	// compiling Expr (pcap_filter --compiled: push_realtime compiles each
	// filter once per configuration load).
	Compiled *bpf.Program
	// Compiler compiles Expr for the stream's link type otherwise, in a
	// child process it stops when ctx ends; the zero value has the bpf
	// package's limits.
	Compiler bpf.Compiler
}

// Run filters the stream read from in to out until the input ends or ctx
// is cancelled, keeping the packets the expression matches and every
// clock tick. The expression is compiled for the stream's link type once
// its header is read (unless opts.Compiled is for that link type); if
// libpcap refuses it there, nothing is written and the error wraps a
// *bpf.CompileError. A cancel while libpcap compiles stops it, and Run
// returns without error and without output. Records already read when ctx
// is cancelled are still filtered; a malformed input ends the run after
// what came before the fault is written, with the reader's *pcapio.Error.
func Run(ctx context.Context, in io.Reader, inName string, out io.Writer, opts Options) (Stats, error) {
	r, err := pcapio.NewReaderAhead(feed.New(in, feed.Options{Stop: ctx.Done()}), inName, ReadSize)
	if err != nil {
		if errors.Is(err, feed.ErrStopped) {
			return Stats{}, nil
		}
		return Stats{}, err
	}
	defer r.Close()
	prog, err := opts.program(ctx, r.LinkType(), int(r.Snaplen()))
	switch {
	case ctx.Err() != nil:
		return Stats{}, nil
	case err != nil:
		return Stats{}, fmt.Errorf("%s has link type %s: %w", r.Name(), bpf.LinkTypeName(r.LinkType()), err)
	}
	return filterRecords(r, out, prog)
}

// program returns the program for a stream of linkType and snaplen.
func (o Options) program(ctx context.Context, linkType uint32, snaplen int) (*bpf.Program, error) {
	if o.Compiled != nil && o.Compiled.LinkType() == linkType {
		return o.Compiled, nil
	}
	return o.Compiler.Compile(ctx, o.Expr, linkType, snaplen)
}

// filterRecords filters r's records to out with prog.
func filterRecords(r *pcapio.Reader, out io.Writer, prog *bpf.Program) (Stats, error) {
	f := &filterer{prog: prog, w: pcapio.NewWriter(out, r.LinkType(), r.Snaplen()), out: out}
	if err := f.w.WriteHeader(); err != nil {
		return f.st, fmt.Errorf("write: %w", err)
	}
	r.SetCompactHook(f.sync)
	err := f.copy(r)
	if errors.Is(err, feed.ErrStopped) || errors.Is(err, io.EOF) {
		err = nil
	}
	var perr *pcapio.Error
	if err != nil && !errors.As(err, &perr) {
		return f.st, err
	}
	if ferr := f.flush(); ferr != nil {
		return f.st, ferr
	}
	return f.st, err
}

// filterer writes the records a program keeps. Kept records that lie next
// to each other in the reader's buffer are collected into a run and
// written with one call.
type filterer struct {
	prog *bpf.Program
	w    *pcapio.Writer
	out  io.Writer
	vec  *vecOut // writes runs when out is a file and the input raw
	run  []byte  // adjacent raw records kept and not yet written
	st   Stats
}

// copy filters records until an error or the end of the input: the
// stream format's records as they were read, others decoded.
func (f *filterer) copy(r *pcapio.Reader) error {
	raw, err := r.NextRaw()
	if errors.Is(err, pcapio.ErrNotRaw) {
		return f.copyRecords(r)
	}
	if f.vec = newVecOut(f.out); f.vec != nil {
		if err := f.w.Flush(); err != nil { // the file header
			return fmt.Errorf("write: %w", err)
		}
	}
	for ; err == nil; raw, err = r.NextRaw() {
		data := raw[pcapio.RecordHeaderLen:]
		origLen := binary.LittleEndian.Uint32(raw[12:])
		if len(data) == 0 && origLen == 0 {
			f.st.Ticks++
		} else {
			f.st.Packets++
			if !f.prog.Match(data, origLen) {
				continue
			}
			f.st.Kept++
		}
		if err := f.keep(raw); err != nil {
			return err
		}
	}
	return err
}

// copyRecords is copy for input in another format, whose records are
// encoded anew.
func (f *filterer) copyRecords(r *pcapio.Reader) error {
	for {
		rec, err := r.Next()
		if err != nil {
			return err
		}
		if rec.IsTick() {
			f.st.Ticks++
		} else {
			f.st.Packets++
			if !f.prog.Match(rec.Data, rec.OrigLen) {
				continue
			}
			f.st.Kept++
		}
		if err := f.w.WriteRecord(rec); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}

// keep adds a raw record to the run when it follows the run's end in the
// reader's buffer, and otherwise writes the run and starts a new one.
func (f *filterer) keep(raw []byte) error {
	if n := len(f.run); n > 0 && cap(f.run) > n && &f.run[:n+1][n] == &raw[0] {
		f.run = f.run[:n+len(raw)]
		return nil
	}
	if err := f.flushRun(); err != nil {
		return err
	}
	f.run = raw
	return nil
}

// flushRun writes the run, or queues it for writev.
func (f *filterer) flushRun() error {
	if len(f.run) == 0 {
		return nil
	}
	var err error
	if f.vec != nil {
		err = f.vec.add(f.run)
	} else {
		err = f.w.WriteRaw(f.run)
	}
	f.run = nil
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// sync writes every run; the reader calls it before it moves to its next
// buffer, so that what one read brought is written before the next read
// (which may wait for a quiet input).
func (f *filterer) sync() error {
	if err := f.flushRun(); err != nil {
		return err
	}
	var err error
	if f.vec != nil {
		err = f.vec.flush()
	} else {
		err = f.w.Flush()
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// flush writes the runs and everything buffered.
func (f *filterer) flush() error {
	if err := f.sync(); err != nil {
		return err
	}
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// String returns the summary printed by pcap_filter --stats.
func (st Stats) String() string {
	pct := 0.0
	if st.Packets > 0 {
		pct = 100 * float64(st.Kept) / float64(st.Packets)
	}
	return fmt.Sprintf("%d packets in, %d kept (%.2f%%), %d clock ticks passed", st.Packets, st.Kept, pct, st.Ticks)
}
