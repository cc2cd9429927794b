// Package powerfs is a file system for tests that loses what a power cut
// loses. It keeps everything in the test's memory, serves it through FUSE
// (github.com/hanwen/go-fuse/v2, the server running in the test process)
// at a folder of the test, and on Cut drops every change that was not made
// durable, as the worst a power cut does on a journaling file system:
//
//   - each file has volatile and durable contents: writes change the
//     volatile ones, fsync (or fdatasync) of the file copies them to the
//     durable ones;
//   - each directory has volatile and durable entries: create, mkdir,
//     rename, link, unlink, rmdir and symlink change the volatile ones,
//     fsync of the directory copies them to the durable ones (a rename
//     between two directories is two changes, each made durable by its own
//     directory's fsync);
//   - Cut reverts every directory and file to its durable state; what is
//     no longer reachable from the root through durable entries vanishes.
//     With CutOptions.Tear, a file whose unsynced change is an append keeps
//     a random prefix of the appended bytes (a torn write).
//
// A file created, written and fsynced whose directory was not fsynced
// therefore vanishes; a rename not followed by an fsync of the target
// directory is undone; a file renamed into place whose data was not
// fsynced comes back empty.
//
// The file system records a journal of what happens to published names,
// so a test can tell a published file replaced or removed from a correct
// run. A name is published unless Options.Temporary says it is a
// temporary one (by default: ending in .pending, holding .tmp, or starting
// with a dot). The journal holds, for published names only: Create (a
// file created under the name), Publish (a rename or link gave a file the
// name), Replace (a rename put another file over the name), Refused (a
// rename with RENAME_NOREPLACE or a link found the name taken; rare, as
// the kernel refuses what it already knows exists without asking), Remove
// (unlink, or renamed away), Truncate (a non-empty file under the name
// truncated), and at a Cut, Undone (the name was visible and is gone) and
// Reverted (its contents changed). Publish, Replace and Reverted carry the
// SHA-256 of the contents the name then holds, so a name published again
// after a cut undid it can be compared with what was first seen there.
// Options.Hook sees every event, writes and fsyncs included, as it
// happens: it runs in the FUSE request, so the calling process stays
// inside its system call until the hook returns, which is how a test aims
// a cut between a write and its fsync.
//
// Supported: create and open (O_EXCL, O_APPEND, O_TRUNC), read, write,
// ftruncate, fsync, fdatasync, rename (RENAME_NOREPLACE; RENAME_EXCHANGE
// and RENAME_WHITEOUT are refused with EINVAL, as on file systems without
// them), link, unlink, symlink, readlink, mkdir, rmdir, chmod, chown,
// utimens, statfs, readdir and fsync of directories, O_TMPFILE. flock and
// fcntl locks are left to the kernel, which keeps them locally and drops
// them when their holder dies. Files are opened in direct I/O mode and no
// entry or attribute is cached by the kernel, so nothing it holds outlives
// a Cut; mmap is therefore not available. Extended attributes are not
// supported. Permissions are not checked (the mount is only reachable by
// the user who mounted it).
//
// What a real power cut can do that this does not model: persist some
// unsynced changes and not others (a journaling file system commits
// metadata in order, and often makes a rename durable without a
// directory fsync, or extends a file with zeros whose data never came);
// corrupt or reorder data inside the durable part; lose a file's
// attributes (mode, owner and times are kept as they were last set);
// fail a write with EIO or ENOSPC. Cut always goes back to exactly the
// last synced state, which is the strictest thing POSIX allows, plus torn
// appends.
//
// # Example
//
//	fs, err := powerfs.Mount(t.TempDir(), powerfs.Options{})
//	if err != nil {
//		t.Skip(err) // no /dev/fuse, not allowed to mount
//	}
//	defer fs.Unmount()
//	// ... processes write under fs.Dir() ...
//	// kill every one of them, then:
//	rep, err := fs.Cut(powerfs.CutOptions{Tear: true, Rand: rng})
//	for _, e := range fs.Journal() {
//		if e.Kind == powerfs.Replace { ... }
//	}
package powerfs
