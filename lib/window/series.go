package window

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"

	"github.com/rclone/rclone/fs"

	"github.com/pcappush/pcappush/lib/output"
	"github.com/pcappush/pcappush/lib/split"
)

// Series is one folder's splits of one prefix: a sensor's splits of one
// target.
type Series struct {
	// Remote is the prefix: the folder and the leaf its names start with.
	Remote output.Remote
	// Splits are the published splits, by start time, then continuation.
	Splits []Split
	// Ignored counts the other objects in the folder: .pending files,
	// other prefixes' splits, anything else.
	Ignored int

	f   fs.Fs  // the remote, rooted where listing began
	dir string // the folder, relative to f's root
}

// Split is one published split.
type Split struct {
	Name   string           // file name in the series' folder
	Parsed split.ParsedName // the name taken apart
	// Lo and Hi bound its packets' times: [Lo, Hi); Hi is math.MaxInt64
	// when the name does not bound it.
	Lo, Hi int64
	Size   int64 // bytes as stored; -1 when the store does not say

	obj fs.Object
}

// NameEnd returns the split's end as the names tell it: the end a
// start-end name holds, else the next later split's start; false for the
// last split of a name without an end.
func (sp Split) NameEnd() (int64, bool) {
	switch {
	case sp.Parsed.HasEnd:
		return sp.Parsed.End, true
	case sp.Hi == math.MaxInt64:
		return 0, false
	}
	return sp.Hi - sp.Parsed.Format.Resolution(), true
}

// Path returns the split as the destination names it.
func (s *Series) Path(sp Split) string { return s.Remote.Display() + sp.Name }

// key identifies the series whatever the spelling of its destination.
func (s *Series) key() string {
	return s.Remote.Config + ":" + path.Clean("/"+s.Remote.Dir) + "|" + s.Remote.Leaf
}

// list reads the series' folder and keeps the splits of its leaf.
func (s *Series) list(ctx context.Context) error {
	entries, err := s.f.List(ctx, s.dir)
	if errors.Is(err, fs.ErrorDirNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", s.Remote.Display(), err)
	}
	for _, e := range entries {
		o, ok := e.(fs.Object)
		if !ok {
			continue
		}
		name := path.Base(o.Remote())
		p, err := split.ParseName(name, s.Remote.Leaf)
		if err != nil || strings.HasSuffix(name, split.PendingSuffix) {
			s.Ignored++
			continue
		}
		s.Splits = append(s.Splits, Split{Name: name, Parsed: p, Size: o.Size(), obj: o})
	}
	s.bound()
	return nil
}

// bound sorts the splits and sets their bounds (see the package doc).
func (s *Series) bound() {
	slices.SortFunc(s.Splits, func(a, b Split) int {
		return cmp.Or(cmp.Compare(a.Parsed.Start, b.Parsed.Start), cmp.Compare(a.Parsed.Dup, b.Parsed.Dup), strings.Compare(a.Name, b.Name))
	})
	next := int64(math.MaxInt64) // the start of the next later split
	for i := len(s.Splits) - 1; i >= 0; i-- {
		sp := &s.Splits[i]
		sp.Lo = sp.Parsed.Start
		switch {
		case sp.Parsed.HasEnd:
			sp.Hi = satAdd(sp.Parsed.End, 1e9)
		default:
			sp.Hi = satAdd(next, sp.Parsed.Format.Resolution())
		}
		if i > 0 && s.Splits[i-1].Parsed.Start < sp.Parsed.Start {
			next = sp.Parsed.Start
		}
	}
}

// satAdd adds, stopping at math.MaxInt64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Select returns the splits whose bounds meet [start, end).
func (s *Series) Select(start, end int64) []Split {
	var out []Split
	for _, sp := range s.Splits {
		if sp.Lo < end && sp.Hi > start {
			out = append(out, sp)
		}
	}
	return out
}
