package split

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// failingSink's parts fail to write after limit bytes, like an upload
// whose server went away.
type failingSink struct{ limit int }

var errGone = errors.New("connection to the store lost")

func (s failingSink) Create(string) (Part, error) { return &failingPart{limit: s.limit}, nil }

type failingPart struct {
	limit, n int
	aborted  bool
}

func (p *failingPart) Write(b []byte) (int, error) {
	if p.n+len(b) > p.limit {
		return 0, errGone
	}
	p.n += len(b)
	return len(b), nil
}
func (p *failingPart) Commit(n Names) (Published, error) { return Published{Names: n}, nil }
func (p *failingPart) Abort() error                      { p.aborted = true; return nil }

func TestPipeSinkReportsTheInnerWriteError(t *testing.T) {
	s := PipeSink{Inner: failingSink{limit: 1 << 20}, Command: "cat"}
	p, err := s.Create("x")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for i := 0; i < 1000 && err == nil; i++ { // the command dies of SIGPIPE on the way
		_, err = p.Write(chunk)
	}
	if err == nil {
		err = commit(p, "x")
	}
	if !errors.Is(err, errGone) || !strings.Contains(err.Error(), `pipe command "cat" output`) {
		t.Errorf("error %v; want the inner part's %v", err, errGone)
	}
	p.Abort()
}
