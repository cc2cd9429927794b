package event

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pcappush/pcappush/lib/state/ledger"
)

// Type says what an event tells.
type Type string

// The types of events.
const (
	Position   Type = "position"    // stream_cat: where it reads
	Split      Type = "split"       // pcap_split: a split published
	Warning    Type = "warning"     // any stage: a warning
	Lost       Type = "lost"        // stream_cat: a chunk deleted before it was read
	PostFailed Type = "post_failed" // pcap_split: a Post command failed
	Stats      Type = "stats"       // any stage: its counters at the end
)

// Event is one line of a stage's events.
type Event struct {
	Time time.Time `json:"time"` // when the stage wrote it
	Tool string    `json:"tool"` // the stage: stream_cat, pcap_decap, pcap_filter, pcap_split
	Type Type      `json:"type"`
	// Message is a warning's, a loss's or a Post failure's text, as the
	// stage's stderr line has it after "TOOL: " (and "warning: ").
	Message  string           `json:"message,omitempty"`
	Split    *ledger.Entry    `json:"split,omitempty"` // split; post_failed: the split whose command failed
	Position *Place           `json:"position,omitempty"`
	Lost     *Range           `json:"lost,omitempty"`
	Stats    map[string]int64 `json:"stats,omitempty"`
}

// Place is where stream_cat reads a capture.
type Place struct {
	Chunk  string `json:"chunk"`           // the chunk it reads, or last read
	Offset int64  `json:"offset"`          // bytes of that chunk's file read
	Read   int64  `json:"read"`            // bytes of chunk files read: those of the chunks finished, and Offset
	Total  int64  `json:"total,omitempty"` // bytes of the capture's chunk files; 0 when not known (following a capture that grows)
}

// Range is a chunk lost: deleted before stream_cat read it. Its packets
// lay after FromNS (the last record emitted) and before ToNS (the next
// chunk's first packet); nil when not known.
type Range struct {
	Chunk  string `json:"chunk"`
	FromNS *int64 `json:"from_ns,omitempty"`
	ToNS   *int64 `json:"to_ns,omitempty"`
}

// Writer writes a stage's events. Its methods do nothing on a nil Writer,
// so that a stage run without --events calls them all the same. It is
// safe for concurrent use.
type Writer struct {
	tool string
	now  func() time.Time
	mu   sync.Mutex
	w    io.Writer
	c    io.Closer
	off  bool // a write failed: the reader is gone
}

// Open returns a Writer of tool's events to descriptor fd, which must be
// open; it is made close-on-exec.
func Open(fd int, tool string) (*Writer, error) {
	if fd < 0 {
		return nil, fmt.Errorf("--events %d: want a descriptor number", fd)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("--events %d: descriptor %d is not open (push_realtime opens it for the stages it runs; by hand, leave --events out): %w", fd, fd, err)
	}
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "events")
	return &Writer{tool: tool, now: time.Now, w: f, c: f}, nil
}

// NewWriter returns a Writer of tool's events to w; now is the clock
// (nil: time.Now).
func NewWriter(w io.Writer, tool string, now func() time.Time) *Writer {
	if now == nil {
		now = time.Now
	}
	return &Writer{tool: tool, now: now, w: w}
}

// Emit writes e, one line, stamped with the time and the tool.
func (w *Writer) Emit(e Event) {
	if w == nil {
		return
	}
	e.Time, e.Tool = w.now(), w.tool
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.off {
		return
	}
	if _, err := w.w.Write(append(b, '\n')); err != nil {
		w.off = true
	}
}

// Warn writes a warning.
func (w *Writer) Warn(format string, args ...any) {
	if w != nil {
		w.Emit(Event{Type: Warning, Message: fmt.Sprintf(format, args...)})
	}
}

// Published writes a split published.
func (w *Writer) Published(s ledger.Entry) { w.Emit(Event{Type: Split, Split: &s}) }

// PostFailed writes that split s's Post command failed, msg saying how.
func (w *Writer) PostFailed(s ledger.Entry, msg string) {
	w.Emit(Event{Type: PostFailed, Split: &s, Message: msg})
}

// LostChunk writes a chunk lost, msg being its warning.
func (w *Writer) LostChunk(r Range, msg string) { w.Emit(Event{Type: Lost, Lost: &r, Message: msg}) }

// At writes where stream_cat reads.
func (w *Writer) At(p Place) { w.Emit(Event{Type: Position, Position: &p}) }

// Counts writes the stage's counters.
func (w *Writer) Counts(stats map[string]int64) { w.Emit(Event{Type: Stats, Stats: stats}) }

// Close closes the descriptor Open opened.
func (w *Writer) Close() error {
	if w == nil || w.c == nil {
		return nil
	}
	return w.c.Close()
}

// MaxLine is the longest event line a Reader reads; a longer one is an
// error, and skipped.
const MaxLine = 1 << 20

// ErrBadLine is wrapped by the error for a line that is not an event.
var ErrBadLine = errors.New("not an event")

// Reader reads events, one JSON object a line.
type Reader struct {
	br   *bufio.Reader
	line int
}

// NewReader returns a Reader of the events on r.
func NewReader(r io.Reader) *Reader { return &Reader{br: bufio.NewReaderSize(r, 64<<10)} }

// Next returns the next event; io.EOF at the end. A line that is not an
// event (too long, not JSON, no type) gives an error wrapping ErrBadLine,
// and the next call reads on after it. A last line without its newline (a
// stage killed while writing it) is dropped: io.EOF.
func (r *Reader) Next() (Event, error) {
	line, err := r.readLine()
	if err != nil {
		return Event{}, err
	}
	r.line++
	var e Event
	if len(line) > MaxLine {
		return e, fmt.Errorf("event line %d: longer than %d bytes: %w", r.line, MaxLine, ErrBadLine)
	}
	if err := json.Unmarshal(line, &e); err != nil || e.Type == "" {
		return Event{}, fmt.Errorf("event line %d: %q: %w", r.line, cut(line), ErrBadLine)
	}
	return e, nil
}

// readLine returns the next whole line, without its newline; a line too
// long comes back longer than MaxLine, its end read past.
func (r *Reader) readLine() ([]byte, error) {
	var long []byte
	for {
		b, err := r.br.ReadSlice('\n')
		switch {
		case err == nil:
			if long != nil {
				return append(long, b[:len(b)-1]...), nil
			}
			return b[:len(b)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(long) <= MaxLine {
				long = append(long, b...)
			}
		case errors.Is(err, io.EOF):
			return nil, io.EOF // the end, or a line cut by a stage's death
		default:
			return nil, fmt.Errorf("events: %w", err)
		}
	}
}

func cut(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}
