// Package durable writes the files that must survive a power cut, and
// writes no file through a link someone planted.
//
// A power cut loses every byte the kernel has not written to the disk:
// data not fsynced, and names (creations, renames) whose folder was not
// fsynced. Each operation here says what survives once it returns nil:
//
//   - WriteFile replaces a whole file: it writes a new file under a
//     temporary name in the same folder (created with O_CREAT|O_EXCL|
//     O_NOFOLLOW), fsyncs it, renames it over the name and fsyncs the
//     folder. After a cut the name holds the old file or the new one,
//     whole. The temporary file is removed on any failure.
//   - Create and CreateTemp begin a new file written in several calls (a
//     split, a generated capture); File.Replace and File.Publish end it as
//     WriteFile does. Publish never replaces: it renames with
//     renameat2(RENAME_NOREPLACE), or with link and unlink where the file
//     system does not know that flag (EINVAL, ENOSYS; NFS, some FUSE file
//     systems), and returns an error wrapping fs.ErrExist when the name is
//     taken, leaving the file under its temporary name for the caller to
//     compare, publish elsewhere or Abort.
//   - OpenLog opens an append-only file of lines: Append writes and
//     fsyncs, and counts the bytes only once they are synced; a line a cut
//     tore (the file does not end in a newline) is cut off when the log is
//     opened again, so the next line never joins it. A log that did not
//     exist is created and its folder fsynced before OpenLog returns.
//   - MkdirAll creates the missing folders of a path and fsyncs the
//     parent of each, so a file made in them does not vanish with its
//     folder.
//
// # Links and owners
//
// Every file this package creates or opens for writing is opened with
// O_NOFOLLOW (and created with O_EXCL): a symbolic link planted under the
// name by anyone who can write the folder is refused with a *LinkError
// naming it, and the file the link points to is never touched. A final
// name that turns out to be a link when Publish finds it taken is refused
// the same way. CheckFolder refuses, as sshd refuses such keys, a folder
// (the state and log folders) that is group- or world-writable or owned by
// neither the running user nor root: whoever else can write there could
// plant links or rewrite the state.
//
// # Cost
//
// WriteFile and Publish cost two fsyncs (the file, the folder) and a
// rename; Append one fsync; MkdirAll one fsync per folder it creates.
//
//	if err := durable.WriteFile("/var/lib/pcappush/state/targets/all/uid", []byte(uid+"\n"), 0o640); err != nil {
//		return err
//	}
//
//	f, err := durable.Create(name+".pending", 0o640)
//	if err != nil {
//		return err // a *LinkError when a link was planted there
//	}
//	// write f ...
//	if err := f.Publish(name); errors.Is(err, fs.ErrExist) {
//		// compare with what name holds; publish as another name, or Abort
//	}
package durable
