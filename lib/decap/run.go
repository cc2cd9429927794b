package decap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pcappush/pcappush/lib/feed"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// FlushIdle is how long the input may be quiet before Run flushes what it
// has written, so that a live stream is not held in the output buffer.
const FlushIdle = 50 * time.Millisecond

// Run reads a PCAP or pcapng stream from in and writes it to out as
// nanosecond pcap, every packet decapsulated, until the input ends or ctx
// is cancelled (SIGTERM): packets already read are written and flushed
// either way. A malformed input writes what came before the fault and
// returns its *pcapio.Error. warn receives notices (nil: none).
func Run(ctx context.Context, in io.Reader, inName string, out io.Writer, opts Options, warn io.Writer) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	var w *pcapio.Writer
	flush := func(time.Duration) error {
		if w != nil && w.Buffered() > 0 {
			return w.Flush()
		}
		return nil
	}
	r, err := pcapio.NewReader(feed.New(in, feed.Options{Stop: ctx.Done(), Idle: FlushIdle, OnIdle: flush}), inName)
	if err != nil {
		if errors.Is(err, feed.ErrStopped) {
			return Stats{}, nil
		}
		return Stats{}, err
	}
	d := New(r.LinkType(), opts)
	if d.link == linkOther && warn != nil {
		fmt.Fprintf(warn, "link type %d is not decapsulated: packets pass unchanged\n", r.LinkType())
	}
	w = pcapio.NewWriter(out, d.OutputLinkType(), outSnaplen(d, r.Snaplen()))
	if err := w.WriteHeader(); err != nil {
		return d.Stats(), fmt.Errorf("write: %w", err)
	}
	err = copyRecords(r, w, d)
	if errors.Is(err, feed.ErrStopped) || errors.Is(err, io.EOF) {
		err = nil
	}
	if ferr := w.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("write: %w", ferr)
	}
	return d.Stats(), err
}

// outSnaplen is the output's snapshot length: the input's, raised by the
// Ethernet header that raw IP and loopback packets gain.
func outSnaplen(d *Decapper, in uint32) uint32 {
	if in == 0 || d.link != linkRaw && d.link != linkNull && d.link != linkLoop {
		return in
	}
	return min(in+14, pcapio.MaxCapLen)
}

func copyRecords(r *pcapio.Reader, w *pcapio.Writer, d *Decapper) error {
	for {
		rec, err := r.Next()
		if err != nil {
			return err
		}
		if rec.IsTick() {
			d.Tick()
			if err := w.WriteRecord(rec); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			continue
		}
		head, body := d.Decap(rec.Time, rec.OrigLen, rec.Data)
		orig := rec.OrigLen
		if n := len(head) + len(body); n != len(rec.Data) || head != nil {
			orig = Lengths(len(rec.Data), rec.OrigLen, n)
		}
		if err := w.WritePacketParts(rec.Time, orig, head, body); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}
