package push

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pcappush/pcappush/lib/capture"
)

// chunkIndex locates a byte of a capture: the chunks' names with the
// number of chunk bytes before each, in reading order.
type chunkIndex struct {
	dir    string           // the capture's folder, symbolic links resolved
	before map[string]int64 // chunk name -> chunk bytes before it
	total  int64
}

// indexCapture lists the chunks of the capture named name (or its path).
func indexCapture(store, name string) (*chunkIndex, error) {
	c, err := capture.Resolve(store, name)
	if err != nil {
		return nil, err
	}
	chs, err := c.Chunks(true)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.EvalSymlinks(c.Dir)
	if err != nil {
		return nil, err
	}
	ix := &chunkIndex{dir: dir, before: make(map[string]int64, len(chs))}
	for _, ch := range chs {
		ix.before[ch.Name] = ix.total
		ix.total += ch.Size
	}
	return ix, nil
}

// position returns how many of the capture's chunk bytes the process pid
// (stream_cat) has read: the bytes of the chunks before the one it has
// open plus its file offset there, from /proc/PID/fd and fdinfo. For a
// compressed chunk that is the offset in the compressed file, as the
// total counts compressed sizes. False when it has no chunk open.
func (ix *chunkIndex) position(pid int) (int64, bool) {
	fdDir := "/proc/" + strconv.Itoa(pid) + "/fd"
	es, err := os.ReadDir(fdDir)
	if err != nil {
		return 0, false
	}
	best, found := int64(0), false
	for _, e := range es {
		link, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err != nil || filepath.Dir(link) != ix.dir {
			continue
		}
		before, ok := ix.before[filepath.Base(link)]
		if !ok {
			continue
		}
		if pos, ok := fdPos(pid, e.Name()); ok {
			best, found = max(best, before+pos), true
		}
	}
	return best, found
}

// fdPos reads the file offset of descriptor fd of process pid.
func fdPos(pid int, fd string) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/fdinfo/" + fd)
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("pos:")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
