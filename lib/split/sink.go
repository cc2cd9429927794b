package split

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pcappush/pcappush/lib/durable"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// PendingSuffix marks a split still being written.
const PendingSuffix = ".pending"

// Sink is where splits are published.
type Sink interface {
	// Create starts a split whose final name is expected to be name; the
	// final names are given, possibly changed, to Part.Commit.
	Create(name string) (Part, error)
}

// Part is one split being written.
type Part interface {
	io.Writer
	// Commit completes the split and publishes it under the first of
	// names that is free, never replacing a published file: a name that
	// already holds the same bytes counts as published (Published.Existed,
	// nothing is written), one that holds other bytes is passed over.
	Commit(names Names) (Published, error)
	// Abort discards the split; nothing is published.
	Abort() error
}

// Names are the names a split may be published under, in order: the base
// with the suffix ("BASE.pcap" when Dup is 0, else "BASE_DUP.pcap"), then
// the same with the next Dup ("_2", "_3", ...).
type Names struct {
	Base   string // the name before any "_N" and the suffix
	Dup    int    // the N of the first name; 0 for none
	Suffix string
}

// Name returns the first name.
func (n Names) Name() string {
	if n.Dup == 0 {
		return n.Base + n.Suffix
	}
	return n.Base + "_" + strconv.Itoa(n.Dup) + n.Suffix
}

// Next returns the names after the first.
func (n Names) Next() Names {
	n.Dup = max(n.Dup, 1) + 1
	return n
}

// MaxNames is how many of a split's names a sink tries before it fails.
const MaxNames = 1000

// Published says under which name a split was published.
type Published struct {
	Names        // the name taken is Names.Name()
	Existed bool // that name already held the same bytes: nothing was written
	// Prefix counts the first packets of the split that names before the
	// one taken already held (see PrefixOf): they were left out.
	Prefix Prefix
}

// tooManyNames says none of MaxNames names was free.
func tooManyNames(n Names) error {
	return fmt.Errorf("publish %s: %s and the %d names after it all exist with other content", n.Name(), n.Name(), MaxNames-1)
}

// FileSink publishes splits as local files (or files on a mounted network
// file system): NAME.pending, fsync, rename without replacing, fsync of
// the folder (lib/durable).
type FileSink struct {
	// Mode is the permission of new files before the umask; 0 means 0640.
	Mode os.FileMode
	// Overwrite publishes over an existing file of the same name instead
	// of comparing it and passing over it when it differs.
	Overwrite bool
}

var _ Sink = FileSink{}

// Create opens NAME.pending for writing. A link planted there is refused,
// naming it; a file left there (by a run on the same prefix that died) is
// removed first.
func (s FileSink) Create(name string) (Part, error) {
	mode := s.Mode
	if mode == 0 {
		mode = 0o640
	}
	f, err := createPending(name+PendingSuffix, mode)
	if err != nil {
		return nil, err
	}
	return &filePart{f: f, mode: mode, overwrite: s.Overwrite}, nil
}

// createPending creates a split's pending file; a file left there (by a
// run on the same prefix that died) is removed first, a link refused.
func createPending(pending string, mode os.FileMode) (*durable.File, error) {
	f, err := durable.Create(pending, mode)
	if errors.Is(err, fs.ErrExist) && !errors.As(err, new(*durable.LinkError)) {
		os.Remove(pending)
		f, err = durable.Create(pending, mode)
	}
	if err != nil {
		return nil, fmt.Errorf("create split: %w", err)
	}
	return f, nil
}

type filePart struct {
	f         *durable.File
	mode      os.FileMode
	overwrite bool
}

func (p *filePart) Write(b []byte) (int, error) { return p.f.Write(b) }

// File returns the open pending file, for writers that can use it directly.
func (p *filePart) File() *os.File { return p.f.File() }

func (p *filePart) Commit(names Names) (Published, error) {
	if p.overwrite {
		if err := p.f.Replace(names.Name()); err != nil {
			return Published{}, fmt.Errorf("publish split: %w", err)
		}
		return Published{Names: names}, nil
	}
	var pre Prefix
	for i := 0; i < MaxNames; i, names = i+1, names.Next() {
		final := names.Name()
		err := p.f.Publish(final)
		if err == nil {
			return Published{Names: names, Prefix: pre}, nil
		}
		if !errors.Is(err, fs.ErrExist) || errors.As(err, new(*durable.LinkError)) {
			p.f.Abort() //nolint:errcheck // err is the one to report
			return Published{}, fmt.Errorf("publish split: %w", err)
		}
		same, err := sameFiles(p.f.Name(), final)
		if err == nil && same {
			return Published{Names: names, Existed: true, Prefix: pre}, p.f.Abort()
		}
		var q Prefix
		ok := false
		if err == nil {
			q, ok, err = prefixFiles(final, p.f.Name())
		}
		if err == nil && ok {
			err = p.cut(q, names.Next())
			pre = pre.Add(q)
		}
		if err != nil {
			p.f.Abort() //nolint:errcheck // err is the one to report
			return Published{}, fmt.Errorf("publish split: compare with %s: %w", final, err)
		}
	}
	p.f.Abort() //nolint:errcheck // the names are the error
	return Published{}, tooManyNames(names)
}

// cut replaces the pending file with one holding its header and what
// follows the q.Bytes of records at its start, under next's pending name.
func (p *filePart) cut(q Prefix, next Names) error {
	in, err := durable.OpenFile(p.f.Name(), os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	rest, err := createPending(next.Name()+PendingSuffix, p.mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(rest, io.LimitReader(in, pcapio.HeaderLen))
	if err == nil {
		_, err = io.Copy(rest, io.NewSectionReader(in, pcapio.HeaderLen+q.Bytes, 1<<62))
	}
	if err != nil {
		rest.Abort() //nolint:errcheck // err is the one to report
		return err
	}
	p.f.Abort() //nolint:errcheck // replaced by rest
	p.f = rest
	return nil
}

// prefixFiles is PrefixOf for two files; old is never read through a
// link.
func prefixFiles(old, ours string) (Prefix, bool, error) {
	fo, err := durable.OpenFile(old, os.O_RDONLY, 0)
	if err != nil {
		return Prefix{}, false, err
	}
	defer fo.Close()
	fu, err := durable.OpenFile(ours, os.O_RDONLY, 0)
	if err != nil {
		return Prefix{}, false, err
	}
	defer fu.Close()
	return PrefixOf(bufio.NewReaderSize(fo, 1<<20), bufio.NewReaderSize(fu, 1<<20))
}

func (p *filePart) Abort() error { return p.f.Abort() }

// sameFiles reports whether the files a and b hold the same bytes; b is
// never read through a link.
func sameFiles(a, b string) (bool, error) {
	fa, err := durable.OpenFile(a, os.O_RDONLY, 0)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := durable.OpenFile(b, os.O_RDONLY, 0)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	sa, err := fa.Stat()
	if err != nil {
		return false, err
	}
	sb, err := fb.Stat()
	if err != nil || sa.Size() != sb.Size() {
		return false, err
	}
	return SameContent(fa, fb)
}

// SameContent reports whether two readers hold the same bytes.
func SameContent(a, b io.Reader) (bool, error) {
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for {
		na, erra := io.ReadFull(a, ba)
		nb, errb := io.ReadFull(b, bb)
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		endA := errors.Is(erra, io.EOF) || errors.Is(erra, io.ErrUnexpectedEOF)
		endB := errors.Is(errb, io.EOF) || errors.Is(errb, io.ErrUnexpectedEOF)
		switch {
		case erra != nil && !endA:
			return false, erra
		case errb != nil && !endB:
			return false, errb
		case endA || endB:
			return endA == endB, nil
		}
	}
}

// CheckFolder reports a missing or unusable output folder for prefix
// before any input is read.
func CheckFolder(prefix string) error {
	dir := filepath.Dir(prefix + "x")
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("output folder: %w (create or mount it first)", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("output folder %s is not a folder", dir)
	}
	return nil
}

// IsPendingOf reports whether name, a file's base name, is an unfinished
// split of a prefix whose last element is leaf ("all" for /data/push/all,
// "" for /data/push/) and of the given suffix: leaf, "_" unless leaf is
// empty, a time part (which starts with a digit), suffix, ".pending".
// Other targets' files in the same folder never match.
func IsPendingOf(name, leaf, suffix string) bool {
	if leaf != "" {
		leaf += "_"
	}
	rest, ok := strings.CutPrefix(name, leaf)
	if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	return strings.HasSuffix(rest, suffix+PendingSuffix)
}

// SweepPending removes the files that a run writing to prefix with suffix
// left as NAME.pending because it did not finish (killed, or the machine
// lost power), and returns them. Call it only while no other run writes to
// the same prefix.
func SweepPending(prefix, suffix string) ([]string, error) {
	dir, leaf := filepath.Split(prefix)
	if dir == "" {
		dir = "."
	}
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var removed []string
	for _, e := range es {
		if !e.Type().IsRegular() || !IsPendingOf(e.Name(), leaf, suffix) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("sweep: %w", err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}
