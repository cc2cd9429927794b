package proctree

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Descendants lists the processes below pid, from /proc.
func Descendants(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc") //nolint:errcheck // no /proc: no children found
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, pp, ok := stat(p); ok {
			children[pp] = append(children[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, children[p]...)
		queue = append(queue, children[p]...)
	}
	return out
}

// stat returns a process's state letter and parent.
func stat(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return f[0][0], pp, err == nil
}

// Stop sends SIGSTOP to pid and its descendants, looking again until no
// new one appears, and returns them all, pid first.
func Stop(pid int) []int {
	pids := []int{pid}
	syscall.Kill(pid, syscall.SIGSTOP) //nolint:errcheck // may be gone
	for {
		fresh := 0
		for _, p := range Descendants(pid) {
			if !slices.Contains(pids, p) {
				syscall.Kill(p, syscall.SIGSTOP) //nolint:errcheck // may be gone
				pids = append(pids, p)
				fresh++
			}
		}
		if fresh == 0 {
			return pids
		}
	}
}

// Signal sends sig to every process of pids.
func Signal(pids []int, sig syscall.Signal) {
	for _, p := range pids {
		syscall.Kill(p, sig) //nolint:errcheck // may be gone
	}
}

// WaitGone waits until no process of pids is alive (gone, or a zombie
// left for its parent to reap).
func WaitGone(pids []int, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); ; time.Sleep(5 * time.Millisecond) {
		var alive []int
		for _, p := range pids {
			if state, _, ok := stat(p); ok && state != 'Z' && state != 'X' {
				alive = append(alive, p)
			}
		}
		if len(alive) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v still alive after %v", alive, timeout)
		}
	}
}

// Kill stops pid and its descendants, kills them all and waits until they
// are gone; it returns their pids.
func Kill(pid int, timeout time.Duration) ([]int, error) {
	pids := Stop(pid)
	Signal(pids, syscall.SIGKILL)
	return pids, WaitGone(pids, timeout)
}
