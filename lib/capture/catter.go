package capture

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// chunkReader reads one chunk's records into the sink.
type chunkReader interface {
	run(s *sink) error // emit every complete record present
	pending() int      // bytes of an incomplete record (or header) left
	offset() int64     // where reading resumes
	truncated() error  // describes what pending counts
	setFinal()         // the chunk is complete: a cut record is an error
}

// catter is one run of Cat.
type catter struct {
	ctx  context.Context
	c    *Capture
	opts Options
	out  *output
	sink *sink
	ckpt *checkpoint.Log
	buf  []byte // read buffer shared by classic chunks
	mbuf []byte // larger read buffer of chunks whose records are moved (made on first use)

	chs     []Chunk     // the capture's chunks, as last listed
	cur     chunkReader // the chunk being read; nil between chunks
	curFile *ChunkFile
	curCh   Chunk
	pos     string // key of the chunk being read or last read ("": none yet)
	posName string // its file name
	posEnd  int64  // where reading of it ended
	skip    int64  // resume offset in the next chunk opened

	chunks, lost, skipped int64

	// where reading is, for position events
	done  int64     // bytes of the chunk files closed so far
	total int64     // bytes of the chunk files of a stored capture; 0 when following
	posAt time.Time // when the last position event was written
}

func newCatter(ctx context.Context, c *Capture, w io.Writer, opts Options) (*catter, error) {
	if opts.TickLag <= 0 {
		opts.TickLag = DefaultTickLag
	}
	if opts.ActiveWindow <= 0 {
		opts.ActiveWindow = DefaultActiveWindow
	}
	if opts.CheckpointEvery <= 0 {
		opts.CheckpointEvery = DefaultCheckpointEvery
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	k := &catter{ctx: ctx, c: c, opts: opts, buf: make([]byte, readBufSize)}
	if opts.UID != "" {
		if err := k.openCheckpoints(); err != nil {
			return nil, err
		}
	}
	k.out = newOutput(w, opts.CheckpointEvery, k.ckpt)
	if opts.NoMove {
		k.out.mover = nil
	}
	k.out.setClock(opts.Now, opts.ClockTolerance)
	k.sink = newSink(k.out, opts.Start, opts.End)
	k.sink.stop = ctx.Done()
	if opts.Events != nil {
		k.sink.reading = k.reading
	}
	return k, nil
}

// openCheckpoints reads the checkpoint file, finds the resume point and
// compacts the file from there on.
func (k *catter) openCheckpoints() error {
	l, err := checkpoint.Open(state.At(k.opts.StateDir).Checkpoints(k.opts.UID, k.c.Name))
	if err != nil {
		return &OutputError{Err: err}
	}
	from := int64(0)
	if k.opts.Resume {
		cp, err := l.Find(k.opts.ResumeAt)
		if err != nil {
			l.Close() //nolint:errcheck // already failing
			return err
		}
		from = cp.Time
	}
	if err := l.Compact(from); err != nil {
		l.Close() //nolint:errcheck // already failing
		return &OutputError{Err: err}
	}
	k.ckpt = l
	return nil
}

// startIndex returns the first chunk to read: the resume checkpoint's, or
// the one holding --start-time, or the first.
func (k *catter) startIndex() (int, error) {
	if k.opts.Resume {
		return k.resumeIndex()
	}
	if k.opts.Start > 0 {
		return k.startTimeIndex(), nil
	}
	return 0, nil
}

// resumeIndex finds the checkpoint's chunk (by name, or by key when it has
// been compressed since) and arms the resume tick.
func (k *catter) resumeIndex() (int, error) {
	cp, err := k.ckpt.Find(k.opts.ResumeAt)
	if err != nil {
		return 0, err
	}
	k.sink.resume, k.sink.resumeAt = true, cp.Time
	k.logf("resuming at checkpoint %d (%s): chunk %s, byte %d", cp.Time, FormatTime(cp.Time), cp.Chunk, cp.Offset)
	key, _, _ := classify(cp.Chunk)
	if key == "" {
		key = cp.Chunk
	}
	i := slices.IndexFunc(k.chs, func(c Chunk) bool { return c.Name == cp.Chunk || c.Key == key })
	if i >= 0 {
		k.skip = cp.Offset
		return i, nil
	}
	k.lost++
	i = k.nextAfter(key)
	k.warnLost(cp.Chunk, i)
	k.pos = key
	return i, nil
}

// startTimeIndex finds, by binary search on first packet times (chunks
// being in time order), the last chunk starting at or before --start-time:
// the chunks before it hold only earlier packets.
func (k *catter) startTimeIndex() int {
	lo, hi := 0, len(k.chs) // chunks before lo start at or before Start
	for lo < hi {
		m := int(uint(lo+hi) / 2)
		t, ok, err := FirstTime(k.c.Path(k.chs[m]))
		if err == nil && ok && t <= k.opts.Start {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo > 0 {
		lo--
	}
	if lo > 0 {
		k.notef("skipping %d chunks before the start time", lo)
	}
	return lo
}

// nextAfter returns the index of the first listed chunk whose key sorts
// after key (len(k.chs) when none does).
func (k *catter) nextAfter(key string) int {
	i, _ := slices.BinarySearchFunc(k.chs, key, func(c Chunk, key string) int {
		if NaturalCompare(c.Key, key) <= 0 {
			return -1
		}
		return 1
	})
	return i
}

// openChunk opens listed chunk i and makes it current. A chunk that has
// vanished is reported as lost (unless a compressed copy took its place)
// and false is returned; so is a chunk that cannot be opened, with its
// error (nil under SkipBad).
func (k *catter) openChunk(ch Chunk, i int) (bool, error) {
	cf, err := k.c.Open(ch)
	if errors.Is(err, fs.ErrNotExist) {
		if alt, ok := k.sibling(ch); ok {
			ch = alt
			cf, err = k.c.Open(ch)
		}
	}
	if err != nil {
		k.pos, k.posName, k.posEnd = ch.Key, ch.Name, 0
		if errors.Is(err, fs.ErrNotExist) {
			k.lost++
			k.warnLost(ch.Name, i+1)
			return false, nil
		}
		return false, k.chunkErr(ch, fmt.Errorf("chunk %s: %w", ch.Name, err))
	}
	k.chunks++
	if cf.Comp != None {
		k.notef("chunk %s (%s)", ch.Name, cf.Comp.Name())
	} else {
		k.notef("chunk %s", ch.Name)
	}
	k.curFile, k.curCh = cf, ch
	k.pos, k.posName, k.posEnd = ch.Key, ch.Name, 0
	k.cur = k.reader(cf, ch.Name)
	return true, nil
}

// sibling finds the chunk that now holds ch's key under another name (its
// compressed copy).
func (k *catter) sibling(ch Chunk) (Chunk, bool) {
	chs, err := k.c.Chunks(false)
	if err != nil {
		return Chunk{}, false
	}
	for _, c := range chs {
		if c.Key == ch.Key && c.Name != ch.Name {
			return c, true
		}
	}
	return Chunk{}, false
}

// reader picks the reader for an open chunk by its (decompressed) magic.
func (k *catter) reader(cf *ChunkFile, name string) chunkReader {
	skip := k.skip
	k.skip = 0
	if cf.Comp == None {
		var head [4]byte
		n, _ := cf.File.ReadAt(head[:], 0)
		if n == 4 && string(head[:]) == "\x0a\x0d\x0d\x0a" {
			return newNGChunk(cf, name, skip)
		}
		if n == 4 && binary.LittleEndian.Uint32(head[:]) == pcapio.MagicNanos && k.out.mover != nil {
			if k.mbuf == nil {
				k.mbuf = make([]byte, moveBufSize)
			}
			return newPCAPChunk(cf, name, k.mbuf, skip)
		}
		return newPCAPChunk(cf, name, k.buf, skip)
	}
	br := bufio.NewReaderSize(cf.Reader, 64<<10)
	cf.Reader = br
	if head, _ := br.Peek(4); string(head) == "\x0a\x0d\x0d\x0a" {
		return newNGChunk(cf, name, skip)
	}
	return newPCAPChunk(cf, name, k.buf, skip)
}

// closeChunk closes the current chunk, remembering where it ended.
func (k *catter) closeChunk() {
	if k.cur == nil {
		return
	}
	k.posEnd = k.cur.offset()
	if k.opts.Events != nil {
		k.done += k.position()
	}
	_ = k.curFile.Close() // read-only: nothing to lose
	k.cur, k.curFile = nil, nil
}

func (k *catter) close() { k.closeChunk() }

// stopped reports whether ctx is cancelled.
func (k *catter) stopped() bool { return k.ctx.Err() != nil }

func (k *catter) now() time.Time { return k.opts.Now() }

func (k *catter) stats() Stats {
	return Stats{Chunks: k.chunks, Packets: k.out.packets, Bytes: k.out.bytes, Ticks: k.out.ticks, Lost: k.lost, Skipped: k.skipped, Moved: k.out.moved}
}

// warnLost reports a chunk deleted before it was read, with the time span
// its packets covered as far as its neighbours tell.
func (k *catter) warnLost(name string, next int) {
	from, to := "an unknown time", "an unknown time"
	r := event.Range{Chunk: name}
	if k.out.wm > 0 {
		from = FormatTime(k.out.wm) + " (the last record emitted)"
		wm := k.out.wm
		r.FromNS = &wm
	}
	if next < len(k.chs) {
		to = "the first packet of " + k.chs[next].Name
		if t, ok, err := FirstTime(k.c.Path(k.chs[next])); err == nil && ok {
			to = fmt.Sprintf("%s (the first packet of %s)", FormatTime(t), k.chs[next].Name)
			r.ToNS = &t
		}
	}
	msg := fmt.Sprintf("chunk %s was deleted before it was read (a ring buffer overtook this reader?): its packets are lost, from after %s to before %s", name, from, to)
	k.logf("warning: %s", msg)
	k.opts.Events.LostChunk(r, msg)
}

// reading writes a position event when the last is PositionEvery old.
func (k *catter) reading() {
	if time.Since(k.posAt) >= PositionEvery {
		k.position()
	}
}

// position writes where reading is: the current chunk and the offset in
// its file, after the bytes of the chunks closed before; it returns the
// offset.
func (k *catter) position() int64 {
	k.posAt = time.Now()
	if k.curFile == nil {
		return 0
	}
	off, err := k.curFile.File.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0
	}
	k.opts.Events.At(event.Place{Chunk: k.curCh.Name, Offset: off, Read: k.done + off, Total: k.total})
	return off
}

// logf writes a line to the log.
func (k *catter) logf(format string, args ...any) {
	fmt.Fprintf(k.opts.Log, "stream_cat: "+format+"\n", args...)
}

// warnf writes a warning, and its event.
func (k *catter) warnf(format string, args ...any) {
	k.logf("warning: "+format, args...)
	k.opts.Events.Warn(format, args...)
}

// notef writes a line only in verbose mode.
func (k *catter) notef(format string, args ...any) {
	if k.opts.Verbose {
		k.logf(format, args...)
	}
}
