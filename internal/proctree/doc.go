// Package proctree finds and kills a process together with every process
// below it, for tests that crash a whole program at once: a supervisor's
// children may sit in process groups of their own, so the tree is read
// from /proc rather than taken from a process group.
//
// Killing a tree one process after another lets the others run meanwhile:
// a child whose parent died first may get a signal of its own (a parent
// death signal) and shut down cleanly, which is not a crash. Kill
// therefore stops every process first (SIGSTOP, looking again until no
// new process appears), then sends SIGKILL to all of them, and waits
// until none is left.
//
//	pids, err := proctree.Kill(cmd.Process.Pid, 10*time.Second)
package proctree
