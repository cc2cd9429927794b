package loopback

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pcappush/pcappush/internal/proctree"
	"github.com/pcappush/pcappush/internal/testutil"
)

// ErrMissing is wrapped by the error of a Start function whose server
// program is not installed.
var ErrMissing = errors.New("server program not installed")

// Server is a server process listening on loopback.
type Server struct {
	Addr string // 127.0.0.1:PORT
	Port int

	cmd  *exec.Cmd
	out  *testutil.SyncBuffer
	done chan struct{}
}

// Output returns what the server wrote on stdout and stderr so far.
func (s *Server) Output() string { return s.out.String() }

// start runs name with args in its own process group and waits until
// port accepts connections.
func start(port int, name string, args ...string) (*Server, error) {
	return startEnv(port, nil, name, args...)
}

// startEnv is start with variables added to the environment.
func startEnv(port int, env []string, name string, args ...string) (*Server, error) {
	cmd := exec.Command(name, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		cmd.Wait() //nolint:errcheck // a killed server exits with a signal
		close(s.done)
	}()
	deadline := time.Now().Add(60 * time.Second) // node and smbd start slowly on a busy machine
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited at start: %s", name, strings.TrimSpace(out.String()))
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close() //nolint:errcheck // a probe
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return nil, fmt.Errorf("%s does not listen on %s: %s", name, s.Addr, strings.TrimSpace(out.String()))
}

// Kill kills the server and every process it started (session children
// included), as a crash would, and waits for the server to end.
func (s *Server) Kill() {
	s.signalAll(syscall.SIGKILL)
	<-s.done
}

// Stop ends the server; it is Kill, kept for readable cleanups.
func (s *Server) Stop() { s.Kill() }

// Freeze stops the server's processes (SIGSTOP): connections stay open
// and nothing answers. Thaw resumes them.
func (s *Server) Freeze() { s.signalAll(syscall.SIGSTOP) }

// Thaw resumes a frozen server.
func (s *Server) Thaw() { s.signalAll(syscall.SIGCONT) }

// signalAll signals the process group and every descendant (a server may
// start sessions in groups of their own).
func (s *Server) signalAll(sig syscall.Signal) {
	pid := s.cmd.Process.Pid
	pids := append(proctree.Descendants(pid), pid)
	syscall.Kill(-pid, sig) //nolint:errcheck // the group may be gone
	for _, p := range pids {
		syscall.Kill(p, sig) //nolint:errcheck // the process may be gone
	}
}

// freePorts returns n consecutive ports on 127.0.0.1 that were free a
// moment ago.
func freePorts(n int) (int, error) {
	for try := 0; try < 50; try++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		base := l.Addr().(*net.TCPAddr).Port
		l.Close() //nolint:errcheck // a probe
		if base+n > 65535 {
			continue
		}
		ok := true
		for p := base + 1; p < base+n && ok; p++ {
			if c, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err != nil {
				ok = false
			} else {
				c.Close() //nolint:errcheck // a probe
			}
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("no free ports on 127.0.0.1")
}

// program finds a server program: on PATH, in the sbin folders (not on a
// user's PATH on Debian), or in the repository's .tools/bin.
func program(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	dirs := []string{"/usr/sbin", "/sbin", "/usr/local/sbin"}
	if _, file, _, ok := runtime.Caller(0); ok {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "..", "..", ".tools", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return filepath.Clean(p), nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, ErrMissing)
}
