package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/operations"

	"github.com/pcappush/pcappush/lib/split"
)

// errAborted ends the upload of a discarded split.
var errAborted = errors.New("split aborted")

// rcloneSink uploads splits to one folder of an rclone remote, each as a
// stream of unknown length (operations.Rcat).
type rcloneSink struct {
	r      Remote
	f      fs.Fs
	ctx    context.Context // never cancelled: a split still publishes after SIGTERM
	direct bool            // upload straight to the final name
	log    func(format string, args ...any)
}

var _ split.Sink = (*rcloneSink)(nil)

// openRclone connects to the prefix's folder, sweeps it and returns the
// sink.
func openRclone(ctx context.Context, prefix string, opts Options) (*Output, error) {
	r, _ := ParseRemote(prefix) // Check has parsed it
	setupRclone(opts)
	f, err := fs.NewFs(ctx, r.FsString())
	if errors.Is(err, fs.ErrorIsFile) {
		return nil, configErrorf("rclone path %s is a file, not a folder", r.Display())
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.Display(), err)
	}
	s := &rcloneSink{r: r, f: f, ctx: context.WithoutCancel(ctx), log: func(format string, args ...any) { logf(opts, format, args...) }}
	// Where the store has a server-side move, NAME.pending is uploaded
	// and moved: a partial upload is never visible under a final name.
	// Stores without one (S3 and alike) show an object only once its
	// upload is complete, so a final name can take the upload directly.
	s.direct = opts.NamesFinal && f.Features().Move == nil
	s.sweep(ctx, opts)
	where := fmt.Sprintf("rclone remote %s (%s), folder %q", strings.TrimPrefix(r.Name, ":"), fs.Type(f), r.Dir)
	if r.Name == "" {
		where = fmt.Sprintf("rclone local folder %q", r.Dir)
	}
	return &Output{Sink: s, Where: where, close: s.shutdown}, nil
}

// shutdown closes the backend's connections.
func (s *rcloneSink) shutdown() error {
	if do := s.f.Features().Shutdown; do != nil {
		return do(s.ctx)
	}
	return nil
}

// Create starts the upload of a split.
func (s *rcloneSink) Create(name string) (split.Part, error) {
	obj, err := s.r.object(name)
	if err != nil {
		return nil, err
	}
	if !s.direct {
		obj += split.PendingSuffix
	}
	pr, pw := io.Pipe()
	p := &rclonePart{s: s, name: name, obj: obj, pw: pw, done: make(chan struct{})}
	go p.upload(pr)
	return p, nil
}

// rclonePart is one split being uploaded: what is written goes through a
// pipe to the upload goroutine.
type rclonePart struct {
	s      *rcloneSink
	name   string // the split's name as created, for messages
	obj    string // the object uploaded, in the folder
	pw     *io.PipeWriter
	done   chan struct{} // closed when the upload has ended
	result fs.Object     // the uploaded object
	err    error         // the upload's error
	closed bool
}

func (p *rclonePart) upload(pr *io.PipeReader) {
	defer close(p.done)
	obj, err := operations.Rcat(p.s.ctx, p.s.f, p.obj, pr, time.Now(), nil)
	p.result, p.err = obj, err
	if err == nil {
		err = io.ErrClosedPipe
	}
	pr.CloseWithError(err) //nolint:errcheck // always nil
}

// Write passes b to the upload; once the upload has failed, it returns
// the upload's error.
func (p *rclonePart) Write(b []byte) (int, error) {
	n, err := p.pw.Write(b)
	if err != nil {
		<-p.done
		if p.err != nil {
			err = p.err
		}
		return n, fmt.Errorf("upload: %w", err)
	}
	return n, nil
}

// Commit ends the upload and, for NAME.pending, moves it to its final
// name; a failure removes what was uploaded.
func (p *rclonePart) Commit(name string) error {
	if p.closed {
		return fmt.Errorf("commit %s: split already closed", name)
	}
	final, err := p.s.r.object(name)
	if err != nil {
		return err
	}
	p.pw.Close() //nolint:errcheck // always nil
	<-p.done
	if p.err != nil {
		return fmt.Errorf("upload %s: %w", name, p.err)
	}
	if p.obj != final {
		if err := p.s.move(p.result, final); err != nil {
			return fmt.Errorf("publish %s: %w", name, err)
		}
	}
	p.closed = true
	return nil
}

// Abort stops the upload and removes NAME.pending. A multipart upload is
// aborted by the backend.
func (p *rclonePart) Abort() error {
	if p.closed {
		return nil
	}
	p.closed = true
	p.pw.CloseWithError(errAborted) //nolint:errcheck // always nil
	<-p.done
	if p.s.direct {
		return nil
	}
	if err := p.s.remove(p.obj); err != nil {
		p.s.log("could not remove %s%s (the next start removes it): %v", p.s.r.Display(), p.obj, err)
		return err
	}
	return nil
}

// cleanupTimeout bounds the removal of an unfinished upload.
const cleanupTimeout = time.Minute

// remove deletes an object if it exists.
func (s *rcloneSink) remove(obj string) error {
	ctx, cancel := context.WithTimeout(s.ctx, cleanupTimeout)
	defer cancel()
	o, err := s.f.NewObject(ctx, obj)
	if errors.Is(err, fs.ErrorObjectNotFound) {
		return nil
	}
	if err == nil {
		err = o.Remove(ctx)
	}
	return err
}

// move renames an uploaded object (server-side where the store can, else
// by copy and delete), replacing an earlier object of that name.
func (s *rcloneSink) move(src fs.Object, final string) error {
	var dst fs.Object
	if s.f.Features().DuplicateFiles {
		// Stores that allow two objects of one name (Google Drive) need
		// the old one named to replace it.
		dst, _ = s.f.NewObject(s.ctx, final) //nolint:errcheck // none is fine
	}
	_, err := operations.Move(s.ctx, s.f, dst, final, src)
	if err != nil {
		s.remove(src.Remote()) //nolint:errcheck // the move error is the one to report
	}
	return err
}

// sweep removes NAME.pending objects of earlier runs and, on S3,
// multipart uploads older than the sweep age. It is housekeeping: a
// failure (an account allowed to upload but not to list, say) is logged
// and the run goes on.
func (s *rcloneSink) sweep(ctx context.Context, opts Options) {
	if n, err := s.sweepPending(ctx, opts.Suffix); err != nil {
		s.log("warning: could not remove stale .pending files in %s: %v", s.r.Display(), err)
	} else if n > 0 {
		s.log("removed %d stale .pending files in %s", n, s.r.Display())
	}
	age := opts.SweepAge
	if age == 0 {
		age = DefaultSweepAge
	}
	cmd := s.f.Features().Command
	if age < 0 || cmd == nil || fs.Type(s.f) != "s3" {
		return
	}
	_, err := cmd(ctx, "cleanup", nil, map[string]string{"max-age": strconv.FormatInt(int64(age/time.Second), 10) + "s"})
	if err != nil && !strings.Contains(err.Error(), "NoSuchBucket") {
		s.log("warning: could not abort multipart uploads older than %v in %s: %v", age, s.r.Display(), err)
	}
}

// sweepPending removes the folder's NAME.pending objects with our name
// start and suffix.
func (s *rcloneSink) sweepPending(ctx context.Context, suffix string) (int, error) {
	entries, err := s.f.List(ctx, "")
	if errors.Is(err, fs.ErrorDirNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		o, ok := e.(fs.Object)
		if !ok || !stale(o.Remote(), namePrefix(s.r.Leaf), suffix) {
			continue
		}
		if err := o.Remove(ctx); err != nil {
			return n, fmt.Errorf("remove %s: %w", o.Remote(), err)
		}
		n++
	}
	return n, nil
}
