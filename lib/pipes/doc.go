// Package pipes holds what the tools do to the pipes between them: ask
// for large ones, and move file bytes into them without copying them
// through user space.
//
// # Pipe size
//
// A pipe holds 64 KiB by default, so a stage writing a fast stream wakes
// its reader every 64 KiB and both switch in and out of the kernel far more
// often than their work needs. Grow asks the kernel for Size (1 MiB, the
// default ceiling of /proc/sys/fs/pipe-max-size) on a pipe that is smaller.
// It is advice: a refusal (a user over the pipe-user-pages limits) leaves
// the pipe as it was and is not an error. Every tool grows its standard
// input and output when they are pipes (cliapp.Main), push_realtime the
// pipes it makes between stages, pcap_split the pipe into a --pipe-cmd.
//
// # Moving file bytes
//
// A Mover writes byte ranges of a file to an output by asking the kernel to
// move them: splice(2) when the output is a pipe, which hands the reader
// the file's page-cache pages themselves (no copy at all until the reader
// reads), copy_file_range(2) when it is a regular file (one copy, in the
// kernel, instead of a read and a write). When the kernel cannot move from
// that file to that output (EINVAL, EXDEV, ENOSYS, EOPNOTSUPP, an output in
// append mode...) Move reports ErrUnsupported with nothing moved, and the
// Mover stays off: the caller writes those bytes itself, as it would have
// without a Mover. EPIPE is returned as it is, and the caller writes the
// rest through its *os.File, so that a closed reader ends the tool with
// SIGPIPE as any write to stdout does.
//
//	pipes.Grow(os.Stdout)
//	m := pipes.NewMover(os.Stdout) // nil: stdout is a terminal or a socket
//	n, err := m.Move(chunk, 24, size-24)
//	if errors.Is(err, pipes.ErrUnsupported) || errors.Is(err, syscall.EPIPE) {
//		_, err = os.Stdout.Write(mapped[24+n:])
//	}
package pipes
