package powerfs

import (
	"maps"
	"slices"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// Open files and directories: contents, fsync, listings.

// open makes a handle; files are opened in direct I/O mode, so the kernel
// keeps none of their pages.
func (fs *FS) open(n *node, flags uint32, out *fuse.OpenOut) *handle {
	fs.nextFh++
	h := &handle{n: n, flags: flags}
	fs.handles[fs.nextFh] = h
	*out = fuse.OpenOut{Fh: fs.nextFh}
	if n.isReg() {
		out.OpenFlags = fuse.FOPEN_DIRECT_IO
	}
	return h
}

func (fs *FS) handle(fh uint64) (*handle, fuse.Status) {
	h := fs.handles[fh]
	if h == nil {
		return nil, fuse.EBADF
	}
	return h, fuse.OK
}

// Create is open with O_CREAT of a name that was not there (O_EXCL is
// checked again here: two processes may race).
func (fs *FS) Create(_ <-chan struct{}, in *fuse.CreateIn, name string, out *fuse.CreateOut) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		dir, st := fs.dirNode(in.NodeId)
		if !st.Ok() {
			return st
		}
		var n *node
		if id, ok := dir.entries[name]; ok {
			n = fs.nodes[id]
			switch {
			case in.Flags&syscall.O_EXCL != 0:
				return fuse.Status(syscall.EEXIST)
			case !n.isReg():
				return fuse.Status(syscall.EISDIR)
			case in.Flags&syscall.O_TRUNC != 0:
				fs.truncate(t, n, 0)
			}
		} else if n, st = fs.create(t, in.NodeId, name, syscall.S_IFREG|in.Mode&0o7777, in.Owner); !st.Ok() {
			return st
		}
		fs.entry(n, &out.EntryOut)
		fs.open(n, in.Flags, &out.OpenOut)
		return fuse.OK
	})
}

// Tmpfile is open with O_TMPFILE: a file without a name until linked.
func (fs *FS) Tmpfile(_ <-chan struct{}, in *fuse.CreateIn, out *fuse.CreateOut) fuse.Status {
	return fs.do(&in.InHeader, func(_ *tx) fuse.Status {
		dir, st := fs.dirNode(in.NodeId)
		if !st.Ok() {
			return st
		}
		n := fs.newNode(syscall.S_IFREG|in.Mode&0o7777, in.Owner, time.Now())
		n.parent, n.name = dir.id, "#tmpfile"
		fs.entry(n, &out.EntryOut)
		fs.open(n, in.Flags, &out.OpenOut)
		return fuse.OK
	})
}

// Open opens a file.
func (fs *FS) Open(_ <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		n := fs.nodes[in.NodeId]
		switch {
		case n == nil:
			return fuse.ENOENT
		case !n.isReg():
			return fuse.Status(syscall.EISDIR)
		}
		if in.Flags&syscall.O_TRUNC != 0 {
			fs.truncate(t, n, 0)
		}
		fs.open(n, in.Flags, out)
		return fuse.OK
	})
}

// Read reads a file's volatile contents.
func (fs *FS) Read(_ <-chan struct{}, in *fuse.ReadIn, buf []byte) (fuse.ReadResult, fuse.Status) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	h, st := fs.handle(in.Fh)
	if !st.Ok() {
		return nil, st
	}
	n := 0
	if off := in.Offset; off < uint64(len(h.n.data)) {
		n = copy(buf[:min(int(in.Size), len(buf))], h.n.data[off:])
	}
	h.n.atime = time.Now()
	return fuse.ReadResultData(buf[:n]), fuse.OK
}

// Write changes a file's volatile contents. A file opened with O_APPEND
// is written at its end as this file system knows it (the kernel's idea
// of the size may be older than a cut).
func (fs *FS) Write(_ <-chan struct{}, in *fuse.WriteIn, data []byte) (uint32, fuse.Status) {
	var written uint32
	st := fs.do(&in.InHeader, func(t *tx) fuse.Status {
		h, st := fs.handle(in.Fh)
		if !st.Ok() {
			return st
		}
		n, off := h.n, int64(in.Offset)
		if (h.flags|in.Flags)&syscall.O_APPEND != 0 {
			off = int64(len(n.data))
		}
		if end := off + int64(len(data)); end > int64(len(n.data)) {
			n.data = append(n.data, make([]byte, end-int64(len(n.data)))...)
		}
		copy(n.data[off:], data)
		n.mtime = time.Now()
		n.ctime = n.mtime
		written = uint32(len(data))
		t.event(Event{Kind: Write, Path: fs.pathOf(n), Off: off, Size: int64(len(data))})
		return fuse.OK
	})
	return written, st
}

// Flush is close(2) of one descriptor: nothing to do.
func (fs *FS) Flush(<-chan struct{}, *fuse.FlushIn) fuse.Status { return fuse.OK }

// Release forgets a handle.
func (fs *FS) Release(_ <-chan struct{}, in *fuse.ReleaseIn) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	delete(fs.handles, in.Fh)
}

// Fsync makes a file's contents durable (fsync and fdatasync alike).
func (fs *FS) Fsync(_ <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		n := fs.nodes[in.NodeId]
		if h := fs.handles[in.Fh]; h != nil {
			n = h.n
		}
		if n == nil {
			return fuse.EBADF
		}
		n.synced = slices.Clone(n.data)
		t.event(Event{Kind: Sync, Path: fs.pathOf(n), Size: int64(len(n.data))})
		return fuse.OK
	})
}

// Fallocate is not supported (EOPNOTSUPP to the caller, as on file
// systems without it).
func (fs *FS) Fallocate(<-chan struct{}, *fuse.FallocateIn) fuse.Status {
	return fuse.Status(syscall.EOPNOTSUPP)
}

// OpenDir lists a directory as it is at the open.
func (fs *FS) OpenDir(_ <-chan struct{}, in *fuse.OpenIn, out *fuse.OpenOut) fuse.Status {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	dir, st := fs.dirNode(in.NodeId)
	if !st.Ok() {
		return st
	}
	h := fs.open(dir, in.Flags, out)
	h.names = slices.Sorted(maps.Keys(dir.entries))
	for _, name := range h.names {
		h.ids = append(h.ids, dir.entries[name])
	}
	return fuse.OK
}

// ReadDir returns the listing from an offset.
func (fs *FS) ReadDir(_ <-chan struct{}, in *fuse.ReadIn, out *fuse.DirEntryList) fuse.Status {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	h, st := fs.handle(in.Fh)
	if !st.Ok() {
		return st
	}
	for i := int(in.Offset); i < len(h.names); i++ {
		var mode uint32 = syscall.S_IFREG
		if n := fs.nodes[h.ids[i]]; n != nil {
			mode = n.mode
		}
		if !out.AddDirEntry(fuse.DirEntry{Name: h.names[i], Ino: h.ids[i], Mode: mode, Off: uint64(i + 1)}) {
			break
		}
	}
	return fuse.OK
}

// ReleaseDir forgets a directory handle.
func (fs *FS) ReleaseDir(in *fuse.ReleaseIn) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	delete(fs.handles, in.Fh)
}

// FsyncDir makes a directory's entries durable.
func (fs *FS) FsyncDir(_ <-chan struct{}, in *fuse.FsyncIn) fuse.Status {
	return fs.do(&in.InHeader, func(t *tx) fuse.Status {
		dir, st := fs.dirNode(in.NodeId)
		if !st.Ok() {
			return st
		}
		dir.durable = maps.Clone(dir.entries)
		t.event(Event{Kind: SyncDir, Path: fs.pathOf(dir)})
		return fuse.OK
	})
}
