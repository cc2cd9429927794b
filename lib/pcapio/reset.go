package pcapio

import (
	"errors"
	"io"
)

// ErrResetAhead is returned by Reset on a read-ahead Reader.
var ErrResetAhead = errors.New("a read-ahead reader cannot be reset")

// Reset makes r read another input from its file header, as NewReader
// does, keeping r's buffer: a consumer reading many files one after
// another allocates one buffer. Whatever r returned before, and the
// compact hook, are gone. A read-ahead Reader (NewReaderAhead) returns
// ErrResetAhead.
func (r *Reader) Reset(src io.Reader, name string) error {
	br := r.br
	if br.ahead != nil {
		return ErrResetAhead
	}
	*br = rbuf{src: src, buf: br.buf}
	*r = Reader{name: name, br: br}
	return r.readHeader()
}
