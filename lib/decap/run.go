package decap

import (
	"bytes"
	"context"
	"encoding/binary"
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
// is cancelled (SIGTERM): packets already read are written either way, and
// nothing read is held back while the input is quiet. A malformed input
// writes what came before the fault and returns its *pcapio.Error. warn
// receives notices (nil: none).
//
// Input in the stream format itself (nanosecond little-endian pcap) takes
// a fast path that writes unchanged records straight from the read buffer;
// on Linux, when out is a file or pipe, with one writev per read.
func Run(ctx context.Context, in io.Reader, inName string, out io.Writer, opts Options, warn io.Writer) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	src := feed.New(in, feed.Options{Stop: ctx.Done()}) // a pipe's blocked read is interrupted by a stop
	defer src.Close()                                   //nolint:errcheck // gives a pipe back its blocking mode
	hdr := make([]byte, pcapio.HeaderLen)
	n, err := io.ReadFull(src, hdr)
	if errors.Is(err, feed.ErrStopped) {
		return Stats{}, nil
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Stats{}, fmt.Errorf("read %s: %w", inName, err)
	}
	if useFast && err == nil && binary.LittleEndian.Uint32(hdr) == pcapio.MagicNanos {
		if hr, herr := pcapio.NewReader(bytes.NewReader(hdr), inName); herr == nil {
			return runFast(src, hdr, hr, out, opts, warn)
		}
	}
	return runSlow(ctx, io.MultiReader(bytes.NewReader(hdr[:n]), src), inName, out, opts, warn)
}

// useFast enables the fast path; tests turn it off to compare.
var useFast = true

// runFast copies a nanosecond little-endian pcap stream whose header hr
// has read; src reads the rest.
func runFast(body io.Reader, hdr []byte, hr *pcapio.Reader, out io.Writer, opts Options, warn io.Writer) (Stats, error) {
	d := newFor(hr.LinkType(), opts, warn)
	sw := newSpanWriter(out)
	var h [pcapio.HeaderLen]byte
	snaplen := outSnaplen(d, hr.Snaplen())
	if snaplen == 0 {
		snaplen = pcapio.DefaultSnaplen
	}
	pcapio.PutHeader(h[:], d.OutputLinkType(), snaplen)
	if _, err := sw.Write(h[:]); err != nil {
		return d.Stats(), fmt.Errorf("write: %w", err)
	}
	err := newFastCopier(d, body, sw, hr.Name(), hr.Snaplen()).run(hdr)
	if errors.Is(err, feed.ErrStopped) {
		err = nil
	}
	return d.Stats(), err
}

// newFor is New, with a notice for link types passed unchanged.
func newFor(linkType uint32, opts Options, warn io.Writer) *Decapper {
	d := New(linkType, opts)
	if d.link == linkOther && warn != nil {
		fmt.Fprintf(warn, "link type %d is not decapsulated: packets pass unchanged\n", linkType)
	}
	return d
}

// runSlow reads any other input through pcapio on a feed goroutine,
// flushing the output whenever the input is quiet for FlushIdle.
func runSlow(ctx context.Context, in io.Reader, inName string, out io.Writer, opts Options, warn io.Writer) (Stats, error) {
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
	d := newFor(r.LinkType(), opts, warn)
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
