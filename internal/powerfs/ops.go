package powerfs

import (
	"crypto/sha256"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// The requests the kernel sends, served from memory. Every method takes
// fs.mu through do, which records the events and calls the hook after
// letting the lock go.

// renameNoReplace is renameat2's RENAME_NOREPLACE.
const renameNoReplace = 1

var _ fuse.RawFileSystem = (*FS)(nil)

// tx is the state of one request: the events it makes.
type tx struct {
	fs  *FS
	pid uint32
	evs []Event
}

// do runs f under the lock, journals its events, then calls the hook.
func (fs *FS) do(h *fuse.InHeader, f func(t *tx) fuse.Status) fuse.Status {
	t := &tx{fs: fs, pid: h.Pid}
	fs.mu.Lock()
	st := f(t)
	for _, e := range t.evs {
		if e.Kind.journaled() {
			fs.journal = append(fs.journal, e)
		}
	}
	fs.mu.Unlock()
	if fs.opts.Hook != nil {
		for _, e := range t.evs {
			fs.opts.Hook(e)
		}
	}
	return st
}

// event records e; events about names are kept only for published ones.
func (t *tx) event(e Event) {
	if e.Kind.journaled() && t.fs.opts.Temporary(path.Base(e.Path)) {
		return
	}
	e.Pid = processOf(t.pid)
	t.evs = append(t.evs, e)
}

// processOf returns the process (thread group) of thread tid, which is
// what FUSE names as the caller.
func processOf(tid uint32) uint32 {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(tid), 10) + "/status")
	if err != nil {
		return tid
	}
	_, rest, ok := strings.Cut(string(b), "\nTgid:")
	if !ok {
		return tid
	}
	line, _, _ := strings.Cut(rest, "\n")
	pid, err := strconv.ParseUint(strings.TrimSpace(line), 10, 32)
	if err != nil {
		return tid
	}
	return uint32(pid)
}

func (fs *FS) String() string { return "powerfs" }

func (fs *FS) newNode(mode uint32, owner fuse.Owner, now time.Time) *node {
	n := &node{id: fs.nextID, mode: mode, owner: owner, atime: now, mtime: now, ctime: now}
	fs.nextID++
	if n.isDir() {
		n.entries, n.durable = map[string]uint64{}, map[string]uint64{}
	}
	fs.nodes[n.id] = n
	return n
}

// pathOf is n's latest name relative to the mount point.
func (fs *FS) pathOf(n *node) string {
	var parts []string
	for i := 0; n != nil && n.id != fuse.FUSE_ROOT_ID && i < 256; i++ {
		parts = append(parts, n.name)
		n = fs.nodes[n.parent]
	}
	slices.Reverse(parts)
	return path.Join(parts...)
}

func (fs *FS) child(dir *node, name string) string { return path.Join(fs.pathOf(dir), name) }

func (fs *FS) dirNode(id uint64) (*node, fuse.Status) {
	n := fs.nodes[id]
	switch {
	case n == nil:
		return nil, fuse.ENOENT
	case !n.isDir():
		return nil, fuse.ENOTDIR
	}
	return n, fuse.OK
}

func (fs *FS) attr(n *node, a *fuse.Attr) {
	*a = fuse.Attr{Ino: n.id, Size: uint64(len(n.data)), Mode: n.mode, Nlink: n.nlink, Owner: n.owner, Blksize: 4096}
	switch n.mode & syscall.S_IFMT {
	case syscall.S_IFLNK:
		a.Size = uint64(len(n.target))
	case syscall.S_IFDIR:
		a.Nlink = 2
		for _, id := range n.entries {
			if c := fs.nodes[id]; c != nil && c.isDir() {
				a.Nlink++
			}
		}
	}
	a.Blocks = (a.Size + 511) / 512
	a.SetTimes(&n.atime, &n.mtime, &n.ctime)
}

// entry fills out for n; nothing is cached by the kernel.
func (fs *FS) entry(n *node, out *fuse.EntryOut) {
	*out = fuse.EntryOut{NodeId: n.id, Generation: 1}
	fs.attr(n, &out.Attr)
}

// link gives n the name in dir.
func (fs *FS) link(dir *node, name string, n *node) {
	dir.entries[name] = n.id
	n.nlink++
	n.parent, n.name = dir.id, name
	now := time.Now()
	dir.mtime, dir.ctime, n.ctime = now, now, now
}

// unlink takes name away from dir.
func (fs *FS) unlink(dir *node, name string) {
	n := fs.nodes[dir.entries[name]]
	delete(dir.entries, name)
	n.nlink--
	now := time.Now()
	dir.mtime, dir.ctime, n.ctime = now, now, now
}

// named returns directory dirID and what name is in it.
func (fs *FS) named(dirID uint64, name string) (dir, n *node, st fuse.Status) {
	if dir, st = fs.dirNode(dirID); !st.Ok() {
		return nil, nil, st
	}
	id, ok := dir.entries[name]
	if !ok {
		return dir, nil, fuse.ENOENT
	}
	return dir, fs.nodes[id], fuse.OK
}

// Lookup finds a name.
func (fs *FS) Lookup(_ <-chan struct{}, h *fuse.InHeader, name string, out *fuse.EntryOut) fuse.Status {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	_, n, st := fs.named(h.NodeId, name)
	if st.Ok() {
		fs.entry(n, out)
	}
	return st
}

// GetAttr is stat.
func (fs *FS) GetAttr(_ <-chan struct{}, in *fuse.GetAttrIn, out *fuse.AttrOut) fuse.Status {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := fs.nodes[in.NodeId]
	if n == nil {
		return fuse.ENOENT
	}
	*out = fuse.AttrOut{}
	fs.attr(n, &out.Attr)
	return fuse.OK
}

// SetAttr is chmod, chown, truncate and utimens.
func (fs *FS) SetAttr(_ <-chan struct{}, in *fuse.SetAttrIn, out *fuse.AttrOut) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		n := fs.nodes[in.NodeId]
		if n == nil {
			return fuse.ENOENT
		}
		if m, ok := in.GetMode(); ok {
			n.mode = n.mode&syscall.S_IFMT | m
		}
		if u, ok := in.GetUID(); ok {
			n.owner.Uid = u
		}
		if g, ok := in.GetGID(); ok {
			n.owner.Gid = g
		}
		if size, ok := in.GetSize(); ok {
			if !n.isReg() {
				return fuse.EINVAL
			}
			fs.truncate(t, n, int64(size))
		}
		if at, ok := in.GetATime(); ok {
			n.atime = at
		}
		if mt, ok := in.GetMTime(); ok {
			n.mtime = mt
		}
		n.ctime = time.Now()
		*out = fuse.AttrOut{}
		fs.attr(n, &out.Attr)
		return fuse.OK
	})
}

// truncate sets the volatile size of file n.
func (fs *FS) truncate(t *tx, n *node, size int64) {
	if size < int64(len(n.data)) {
		t.event(Event{Kind: Truncate, Path: fs.pathOf(n), Size: size})
		n.data = n.data[:size]
	} else {
		n.data = append(n.data, make([]byte, size-int64(len(n.data)))...)
	}
	n.mtime = time.Now()
}

// Mknod makes regular files only.
func (fs *FS) Mknod(_ <-chan struct{}, in *fuse.MknodIn, name string, out *fuse.EntryOut) fuse.Status {
	if in.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fuse.EPERM
	}
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		n, st := fs.create(t, in.NodeId, name, in.Mode, in.Owner)
		if st.Ok() {
			fs.entry(n, out)
		}
		return st
	})
}

// create makes a new node named name in dir.
func (fs *FS) create(t *tx, dirID uint64, name string, mode uint32, owner fuse.Owner) (*node, fuse.Status) {
	dir, st := fs.dirNode(dirID)
	if !st.Ok() {
		return nil, st
	}
	if _, ok := dir.entries[name]; ok {
		return nil, fuse.Status(syscall.EEXIST)
	}
	n := fs.newNode(mode, owner, time.Now())
	fs.link(dir, name, n)
	if !n.isDir() {
		t.event(Event{Kind: Create, Path: fs.child(dir, name)})
	}
	return n, fuse.OK
}

// Mkdir makes a directory.
func (fs *FS) Mkdir(_ <-chan struct{}, in *fuse.MkdirIn, name string, out *fuse.EntryOut) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		n, st := fs.create(t, in.NodeId, name, syscall.S_IFDIR|in.Mode&0o7777, in.Owner)
		if st.Ok() {
			fs.entry(n, out)
		}
		return st
	})
}

// Symlink makes a symbolic link.
func (fs *FS) Symlink(_ <-chan struct{}, h *fuse.InHeader, target, name string, out *fuse.EntryOut) fuse.Status {
	return fs.do(h, func(t *tx) fuse.Status {
		n, st := fs.create(t, h.NodeId, name, syscall.S_IFLNK|0o777, h.Owner)
		if st.Ok() {
			n.target = target
			fs.entry(n, out)
		}
		return st
	})
}

// Readlink reads a symbolic link.
func (fs *FS) Readlink(_ <-chan struct{}, h *fuse.InHeader) ([]byte, fuse.Status) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := fs.nodes[h.NodeId]
	if n == nil || n.mode&syscall.S_IFMT != syscall.S_IFLNK {
		return nil, fuse.EINVAL
	}
	return []byte(n.target), fuse.OK
}

// Unlink removes a name that is not a directory.
func (fs *FS) Unlink(_ <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	return fs.do(h, func(t *tx) fuse.Status {
		dir, n, st := fs.named(h.NodeId, name)
		switch {
		case !st.Ok():
			return st
		case n.isDir():
			return fuse.Status(syscall.EISDIR)
		}
		t.event(Event{Kind: Remove, Path: fs.child(dir, name)})
		fs.unlink(dir, name)
		return fuse.OK
	})
}

// Rmdir removes an empty directory.
func (fs *FS) Rmdir(_ <-chan struct{}, h *fuse.InHeader, name string) fuse.Status {
	return fs.do(h, func(_ *tx) fuse.Status {
		dir, n, st := fs.named(h.NodeId, name)
		switch {
		case !st.Ok():
			return st
		case !n.isDir():
			return fuse.ENOTDIR
		case len(n.entries) > 0:
			return fuse.Status(syscall.ENOTEMPTY)
		}
		fs.unlink(dir, name)
		return fuse.OK
	})
}

// Rename is rename and renameat2 with RENAME_NOREPLACE.
func (fs *FS) Rename(_ <-chan struct{}, in *fuse.RenameIn, oldName, newName string) fuse.Status {
	if in.Flags&^renameNoReplace != 0 {
		return fuse.EINVAL // RENAME_EXCHANGE, RENAME_WHITEOUT
	}
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		src, st := fs.dirNode(in.NodeId)
		if !st.Ok() {
			return st
		}
		dst, st := fs.dirNode(in.Newdir)
		if !st.Ok() {
			return st
		}
		id, ok := src.entries[oldName]
		if !ok {
			return fuse.ENOENT
		}
		n, from, to := fs.nodes[id], fs.child(src, oldName), fs.child(dst, newName)
		old, exists := dst.entries[newName]
		if exists && in.Flags&renameNoReplace != 0 {
			t.event(Event{Kind: Refused, Path: to, From: from})
			return fuse.Status(syscall.EEXIST)
		}
		if exists && old == id {
			return fuse.OK // two names of one file: nothing to do
		}
		if st := fs.canReplace(n, dst, old, exists); !st.Ok() {
			return st
		}
		t.event(Event{Kind: Remove, Path: from})
		kind := Publish
		if exists {
			kind = Replace
			fs.unlink(dst, newName)
		}
		t.event(Event{Kind: kind, Path: to, From: from, Size: int64(len(n.data)), Sum: sha256.Sum256(n.data)})
		fs.unlink(src, oldName)
		fs.link(dst, newName, n)
		return fuse.OK
	})
}

// canReplace checks that n may be renamed to a name of dst that holds old
// when exists.
func (fs *FS) canReplace(n, dst *node, old uint64, exists bool) fuse.Status {
	for p, i := dst, 0; p != nil && i < 256; p, i = fs.nodes[p.parent], i+1 {
		if p.id == n.id {
			return fuse.EINVAL // into itself
		}
		if p.id == fuse.FUSE_ROOT_ID {
			break
		}
	}
	if !exists {
		return fuse.OK
	}
	o := fs.nodes[old]
	switch {
	case o.isDir() && !n.isDir():
		return fuse.Status(syscall.EISDIR)
	case !o.isDir() && n.isDir():
		return fuse.ENOTDIR
	case o.isDir() && len(o.entries) > 0:
		return fuse.Status(syscall.ENOTEMPTY)
	}
	return fuse.OK
}

// Link gives a file another name.
func (fs *FS) Link(_ <-chan struct{}, in *fuse.LinkIn, name string, out *fuse.EntryOut) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		dir, st := fs.dirNode(in.NodeId)
		if !st.Ok() {
			return st
		}
		n := fs.nodes[in.Oldnodeid]
		switch {
		case n == nil:
			return fuse.ENOENT
		case n.isDir():
			return fuse.EPERM
		}
		to := fs.child(dir, name)
		if _, ok := dir.entries[name]; ok {
			t.event(Event{Kind: Refused, Path: to, From: fs.pathOf(n)})
			return fuse.Status(syscall.EEXIST)
		}
		from := ""
		if n.nlink > 0 {
			from = fs.pathOf(n)
		}
		fs.link(dir, name, n)
		t.event(Event{Kind: Publish, Path: to, From: from, Size: int64(len(n.data)), Sum: sha256.Sum256(n.data)})
		fs.entry(n, out)
		return fuse.OK
	})
}

// Access allows everything: the mount is its owner's.
func (fs *FS) Access(<-chan struct{}, *fuse.AccessIn) fuse.Status { return fuse.OK }

// StatFs reports a 16 GiB file system.
func (fs *FS) StatFs(_ <-chan struct{}, _ *fuse.InHeader, out *fuse.StatfsOut) fuse.Status {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var used uint64
	for _, n := range fs.nodes {
		used += (uint64(len(n.data)) + 4095) / 4096
	}
	const blocks, files = 1 << 22, 1 << 20
	*out = fuse.StatfsOut{Blocks: blocks, Bfree: blocks - used, Bavail: blocks - used,
		Files: files, Ffree: files - uint64(len(fs.nodes)), Bsize: 4096, Frsize: 4096, NameLen: 255}
	return fuse.OK
}
