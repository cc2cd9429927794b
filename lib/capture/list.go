package capture

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/quote"
)

// DefaultActiveWindow is how long a capture without a completion marker
// stays active after its newest chunk last changed.
const DefaultActiveWindow = 60 * time.Second

// probeChunks is how many chunks from either end are tried to find the
// first and last packet when the end chunks hold none.
const probeChunks = 8

// Info summarises a capture, as --list shows it.
type Info struct {
	Name       string
	Chunks     int
	Bytes      int64     // size of the chunk files
	Newest     time.Time // last modification of any chunk
	First      int64     // first packet's time, ns; valid when HasFirst
	Last       int64     // last packet's time, ns; valid when HasLast
	HasFirst   bool
	HasLast    bool
	LastApprox bool // Last is the first packet of a large compressed last chunk
	Complete   bool // the completion marker is present
	Active     bool
}

// Info lists the capture's chunks and reads its first and last packet
// times without reading the chunks in between. Entries that are not
// regular files (see Chunk.NotRegular) are not counted.
func (c *Capture) Info(window time.Duration, now time.Time) (Info, error) {
	all, err := c.Chunks(true)
	if err != nil {
		return Info{}, err
	}
	chs := slices.DeleteFunc(all, func(ch Chunk) bool { return ch.NotRegular })
	in := Info{Name: c.Name, Chunks: len(chs)}
	for _, ch := range chs {
		in.Bytes += ch.Size
		if ch.ModTime.After(in.Newest) {
			in.Newest = ch.ModTime
		}
	}
	in.Complete = c.Complete()
	in.Active = !in.Complete && now.Sub(in.Newest) < window
	for i := 0; i < len(chs) && i < probeChunks && !in.HasFirst; i++ {
		in.First, in.HasFirst, _ = FirstTime(c.Path(chs[i]))
	}
	for i := len(chs) - 1; i >= 0 && i >= len(chs)-probeChunks && !in.HasLast; i-- {
		in.Last, in.HasLast, in.LastApprox, _ = LastTime(c.Path(chs[i]))
	}
	return in, nil
}

// Complete reports whether the capture's completion marker exists.
func (c *Capture) Complete() bool {
	_, err := os.Stat(c.MarkerPath())
	return err == nil
}

// List returns the Info of every capture in the store. A capture removed
// while the store is listed is left out.
func (s Store) List(window time.Duration, now time.Time) ([]Info, error) {
	names, err := s.Names()
	if err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(names))
	for _, n := range names {
		c, err := s.Capture(n)
		if err == nil {
			var in Info
			if in, err = c.Info(window, now); err == nil {
				out = append(out, in)
				continue
			}
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrNotFound) {
			return out, err
		}
	}
	return out, nil
}

// WriteList writes one line per capture in aligned columns under a header:
// name (Go-quoted when a character does not print: see quote.Name), chunks, bytes, first and last packet time (UTC, RFC 3339 with
// milliseconds; "-" when unknown; a trailing "+" when the last time is a
// lower bound), active (yes or no). Counts are right-aligned.
func WriteList(w io.Writer, infos []Info) error {
	rows := [][]string{{"CAPTURE", "CHUNKS", "BYTES", "FIRST", "LAST", "ACTIVE"}}
	for _, in := range infos {
		rows = append(rows, in.row())
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, f := range r {
			width[i] = max(width[i], len(f))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, f := range r {
			pad := strings.Repeat(" ", width[i]-len(f))
			switch {
			case i == 1 || i == 2:
				b.WriteString(pad + f + "  ")
			case i == len(r)-1:
				b.WriteString(f + "\n")
			default:
				b.WriteString(f + pad + "  ")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// row returns the capture's --list columns.
func (in Info) row() []string {
	first, last, active := "-", "-", "no"
	if in.HasFirst {
		first = FormatTime(in.First)
	}
	if in.HasLast {
		last = FormatTime(in.Last)
		if in.LastApprox {
			last += "+"
		}
	}
	if in.Active {
		active = "yes"
	}
	return []string{quote.Name(in.Name), strconv.Itoa(in.Chunks), strconv.FormatInt(in.Bytes, 10), first, last, active}
}
