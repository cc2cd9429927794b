package compress

import (
	"fmt"
	"io"
	"sync"

	"github.com/pcappush/pcappush/lib/split"
)

// Sink compresses every split on its way to an inner sink. The zero value
// is not usable: set Inner and Codec. A Sink keeps one encoder between
// splits; it is safe for concurrent use, though a Splitter keeps one split
// open at a time.
type Sink struct {
	Inner   split.Sink
	Codec   Codec
	Threads int // encoder goroutines; 0: GOMAXPROCS

	mu   sync.Mutex
	idle Encoder // an encoder ready for reuse
}

var _ split.Sink = (*Sink)(nil)

// Create opens a part of the inner sink and an encoder writing to it.
func (s *Sink) Create(name string) (split.Part, error) {
	inner, err := s.Inner.Create(name)
	if err != nil {
		return nil, err
	}
	enc, err := s.encoder(inner)
	if err != nil {
		inner.Abort() //nolint:errcheck // the encoder error is the one to report
		return nil, err
	}
	return &part{s: s, enc: enc, inner: inner}, nil
}

// encoder returns the idle encoder reset to w, or a new one.
func (s *Sink) encoder(w io.Writer) (Encoder, error) {
	s.mu.Lock()
	enc := s.idle
	s.idle = nil
	s.mu.Unlock()
	if enc != nil {
		enc.Reset(w)
		return enc, nil
	}
	return s.Codec.NewEncoder(w, s.Threads)
}

// release keeps enc for the next split.
func (s *Sink) release(enc Encoder) {
	s.mu.Lock()
	if s.idle == nil {
		s.idle = enc
	}
	s.mu.Unlock()
}

type part struct {
	s     *Sink
	enc   Encoder
	inner split.Part
	done  bool
}

func (p *part) Write(b []byte) (int, error) { return p.enc.Write(b) }

// Commit ends the compressed stream, then commits the inner part.
func (p *part) Commit(names split.Names) (split.Published, error) {
	if p.done {
		return split.Published{}, fmt.Errorf("commit %s: split already closed", names.Name())
	}
	if err := p.enc.Close(); err != nil {
		return split.Published{}, fmt.Errorf("%s: end of stream: %w", p.s.Codec.Algorithm, err)
	}
	p.done = true
	p.s.release(p.enc)
	return p.inner.Commit(names)
}

// Abort discards the split. The encoder is dropped rather than reused: it
// may hold the inner part's write error.
func (p *part) Abort() error {
	if p.done {
		return p.inner.Abort()
	}
	p.done = true
	err := p.inner.Abort()
	p.enc.Close() //nolint:errcheck // the split is discarded; only the encoder's goroutines must end
	return err
}
