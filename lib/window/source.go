package window

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// source is one series as the merge reads it: its selected splits, one
// after the other, trimmed to the window.
type source struct {
	s      *Series
	splits []Split
	f      *fetcher
	in     splitReader
	rd     *pcapio.Reader
	cur    int  // the split being read, or the last one read
	open   bool // rd reads splits[cur]
	native bool // and it is in the stream format: records are written as read
	// head is the packet the source offers the merge: its time, and its
	// record as read (raw) or decoded (rec) when the split is not in the
	// stream format.
	time   int64
	raw    []byte
	rec    pcapio.Record
	done   bool  // no packet left
	last   int64 // time of the last packet taken from the current split
	got    bool  // a packet was taken from the current split
	opened int   // splits opened
}

// reader is what sources share with the merge: the window, the link type
// of the stream (set by the first split opened) and the options.
type reader struct {
	opts       *Options
	start, end int64
	linkType   uint32
	linkSet    bool
	stats      *Stats
	stop       context.Context // cancelled to stop the read (SIGTERM)
	last       int64           // time of the last packet written
}

// stopped turns the error of a read that was stopped into a warning:
// the stream ends after the last packet written.
func (r *reader) stopped(err error) error {
	if err == nil || r.stop.Err() == nil {
		return err
	}
	at := "before the first packet"
	if r.stats.Packets > 0 {
		at = "after " + capture.FormatTime(r.last)
	}
	r.opts.warnf("stopped: the window ends %s", at)
	return nil
}

// next moves the source to its next packet in the window; done is set
// when there is none. A split that fails is an error, or with SkipBad a
// warning, and the source goes on with its next split.
func (src *source) next(r *reader) error {
	for {
		if !src.open {
			if src.cur+1 >= len(src.splits) {
				src.done = true
				return nil
			}
			if err := src.openNext(r); err != nil {
				if err := src.bad(r, err); err != nil {
					return err
				}
				continue
			}
		}
		t, err := src.read()
		if errors.Is(err, io.EOF) {
			src.open = false
			continue
		}
		if err != nil {
			if err := src.bad(r, err); err != nil {
				return err
			}
			continue
		}
		src.last, src.got = t, true
		if t >= r.start && t < r.end {
			src.time = t
			return nil
		}
	}
}

// openNext opens the next split and reads its header.
func (src *source) openNext(r *reader) error {
	src.cur++
	src.open, src.got = true, false
	src.opened++
	sp := src.splits[src.cur]
	src.in.begin(src.cur)
	name := src.s.Path(sp)
	var err error
	if src.rd == nil {
		src.rd, err = pcapio.NewReaderSize(&src.in, name, 0)
	} else {
		err = src.rd.Reset(&src.in, name)
	}
	if err != nil {
		return err
	}
	f := src.rd.Format()
	src.native = !f.PcapNG && !f.BigEndian && f.Nanos
	if !r.linkSet {
		r.linkType, r.linkSet = src.rd.LinkType(), true
	}
	if lt := src.rd.LinkType(); lt != r.linkType {
		return fmt.Errorf("link type %d, but the stream's is %d (from the first split read)", lt, r.linkType)
	}
	return nil
}

// read takes the next record of the open split, skipping clock ticks, and
// returns its time.
func (src *source) read() (int64, error) {
	for {
		if !src.native {
			rec, err := src.rd.Next()
			if err != nil {
				return 0, err
			}
			if rec.IsTick() {
				continue
			}
			src.rec, src.raw = rec, nil
			return rec.Time, nil
		}
		raw, err := src.rd.NextRaw()
		if err != nil {
			return 0, err
		}
		if binary.LittleEndian.Uint32(raw[8:]) == 0 && binary.LittleEndian.Uint32(raw[12:]) == 0 {
			continue // a tick
		}
		src.raw = raw
		return int64(binary.LittleEndian.Uint32(raw[0:]))*1e9 + int64(binary.LittleEndian.Uint32(raw[4:])), nil
	}
}

// bad handles a split that failed: the error, or with SkipBad a warning
// naming the packets' time range not read, and the split dropped.
func (src *source) bad(r *reader, err error) error {
	sp := src.splits[src.cur]
	if !r.opts.SkipBad || r.stop.Err() != nil {
		return named(src.s.Path(sp), err)
	}
	from := max(sp.Lo, r.start)
	if src.got {
		from = max(src.last, r.start)
	}
	to := "its end"
	if e, ok := sp.NameEnd(); ok || r.end != math.MaxInt64 {
		if !ok {
			e = math.MaxInt64
		}
		to = capture.FormatTime(min(e, r.end))
	}
	r.opts.warnf("%v; skipped: packets of %s from %s to %s are not read", named(src.s.Path(sp), err), src.s.Remote.Prefix, capture.FormatTime(from), to)
	r.stats.Skipped++
	src.open = false
	return src.in.abandon()
}

// named puts the split's name before err unless pcapio's error names it.
func named(name string, err error) error {
	var pe *pcapio.Error
	if errors.As(err, &pe) && pe.Input == name {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// write writes the source's head packet.
func (src *source) write(w *pcapio.Writer) error {
	if src.raw != nil {
		return w.WriteRaw(src.raw)
	}
	return w.WritePacket(src.rec.Time, src.rec.OrigLen, src.rec.Data)
}
