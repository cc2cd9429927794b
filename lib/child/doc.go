// Package child runs a function of the running program in a child process
// of itself, bounded in memory and time, so that work which may not end
// (libpcap's optimiser on a huge filter, a configuration's Lua code) can
// be stopped by a deadline or a signal, and cannot take the caller down
// when it exhausts its memory.
//
// # How
//
// A package registers its work under a name from an init function:
//
//	func init() { child.Handle("bpf-compile", compileInChild) }
//
// Run starts /proc/self/exe (the running executable, even if its file was
// replaced since) with argv[0] set to "pcappush-child:NAME" and the memory
// limit as argv[1], writes the request to its stdin and reads the answer
// from its stdout. In the child, Handle sees its name in argv[0] while
// the registering package initialises, before main: it sets RLIMIT_DATA
// (heap, brk and every private writable mapping, which is what Go's and
// C's allocators use; RLIMIT_AS would count the runtime's address space
// reservations too) and RLIMIT_CORE 0, runs the function, writes its
// answer and exits 0. Any binary that links the registering package can
// therefore serve it, test binaries included, with no change to main.
//
// The child runs with SIGKILL as its parent-death signal, and Run kills
// it with SIGKILL when the deadline passes or ctx ends, then waits for it:
// nothing is left behind. A child that exits otherwise than with its
// answer (a Go runtime fatal error such as running out of memory under its
// limit, a crash, a kill) gives an *Error carrying how it ended, its peak
// resident memory and the start of its stderr, for the message.
//
// The function answers with bytes only: callers encode their own results
// and errors in them (JSON), so that a mistake in the input is told apart
// from a child that failed.
//
// # Example
//
//	out, err := child.Run(ctx, "bpf-compile", req, child.Limits{Timeout: 10 * time.Second, Memory: 512 << 20})
//	var ce *child.Error
//	if errors.As(err, &ce) && ce.TimedOut {
//		// the work ran past its deadline and was killed
//	}
package child
