package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/operations"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/split"
)

var (
	// errAborted ends the upload of a discarded split.
	errAborted = errors.New("split aborted")
	// errStalled ends an upload that stopped making progress.
	errStalled = errors.New("upload stalled")
)

// rcloneSink uploads splits to one folder of an rclone remote, each as a
// stream of unknown length (operations.Rcat).
type rcloneSink struct {
	r      Remote
	f      fs.Fs
	ctx    context.Context // never cancelled: a split still publishes after SIGTERM
	direct bool            // upload straight to the final name, when it is free
	// overwrite publishes over an existing object of the final name
	// instead of comparing it and passing over it when it differs.
	overwrite bool
	// conditional says the store refuses, by itself, an upload or copy
	// to a name that exists (S3's If-None-Match: *).
	conditional bool
	stall       time.Duration // cancel an upload that takes no data for this long; 0: never
	// RcatFunc uploads a stream to the folder: operations.Rcat, or a
	// fake in tests.
	RcatFunc func(ctx context.Context, name string, in io.ReadCloser) (fs.Object, error)
	log      func(format string, args ...any)
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
	if fs.Type(f) == "local" {
		privateUmask()
	}
	s := &rcloneSink{r: r, f: f, ctx: context.WithoutCancel(ctx), overwrite: opts.Overwrite, conditional: fs.Type(f) == "s3",
		log: func(format string, args ...any) { logf(opts, format, args...) }}
	// Where the store has a server-side move, NAME.pending is uploaded
	// and moved: a partial upload is never visible under a final name.
	// Stores without one (S3 and alike) show an object only once its
	// upload is complete, so a final name can take the upload directly.
	s.direct = opts.NamesFinal && f.Features().Move == nil
	s.stall = StallFactor * time.Duration(fs.GetConfig(ctx).Timeout)
	s.RcatFunc = func(ctx context.Context, name string, in io.ReadCloser) (fs.Object, error) {
		return operations.Rcat(ctx, f, name, in, time.Now(), nil)
	}
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

// Create starts the upload of a split: straight to its name where the
// store shows an object only once complete and the name is free (with a
// conditional write where the store has one, so that an object made
// meanwhile is not replaced either), else to NAME.pending.
func (s *rcloneSink) Create(name string) (split.Part, error) {
	obj, err := s.r.object(name)
	if err != nil {
		return nil, err
	}
	direct := s.direct
	if direct && !s.overwrite {
		_, found, err := s.lookup(obj)
		if err != nil {
			return nil, fmt.Errorf("split %s: %w", name, err)
		}
		direct = !found
	}
	if !direct {
		obj += split.PendingSuffix
	}
	ctx, cancel := context.WithCancelCause(s.ctx)
	if direct && !s.overwrite {
		ctx = s.noReplace(ctx)
	}
	pr, pw := io.Pipe()
	p := &rclonePart{s: s, name: name, obj: obj, direct: direct, pw: pw, pr: pr, cancel: cancel, done: make(chan struct{}), stalled: make(chan struct{})}
	p.progress.Store(time.Now().UnixNano())
	go p.upload(ctx, pr)
	if s.stall > 0 {
		go p.watch(s.stall)
	}
	return p, nil
}

// rclonePart is one split being uploaded: what is written goes through a
// pipe to the upload goroutine.
type rclonePart struct {
	s      *rcloneSink
	name   string // the split's name as created, for messages
	obj    string // the object uploaded, in the folder
	direct bool   // obj is the final name
	pw     *io.PipeWriter
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when the upload has ended
	result fs.Object     // the uploaded object
	err    error         // the upload's error
	closed bool

	progress atomic.Int64  // when the upload last read, Unix ns
	waiting  atomic.Int64  // since when Write or Commit waits for the upload, Unix ns; 0: not waiting
	stalled  chan struct{} // closed when the watchdog gave up on the upload
	stallErr error
	pr       *io.PipeReader
}

// wait waits for the upload to end, or to be given up as stalled (a
// backend blocked in a socket write does not see its context end), and
// returns its error.
func (p *rclonePart) wait() error {
	select {
	case <-p.done:
		return p.err
	case <-p.stalled:
		return p.stallErr
	}
}

func (p *rclonePart) upload(ctx context.Context, pr *io.PipeReader) {
	defer close(p.done)
	obj, err := p.s.RcatFunc(ctx, p.obj, progressReader{pr, p})
	if cause := context.Cause(ctx); err != nil && cause != nil {
		err = cause
	}
	p.result, p.err = obj, err
	if err == nil {
		err = io.ErrClosedPipe
	}
	pr.CloseWithError(err) //nolint:errcheck // always nil
}

// progressReader notes when the upload takes data.
type progressReader struct {
	r *io.PipeReader
	p *rclonePart
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.p.progress.Store(time.Now().UnixNano())
	}
	return n, err
}

func (r progressReader) Close() error { return r.r.Close() }

// watch cancels the upload when data waits for it and it has taken none
// for stall: a server that stopped answering, which the backend's own
// timeouts and retries may take many minutes to give up on.
func (p *rclonePart) watch(stall time.Duration) {
	t := time.NewTicker(min(stall/4, time.Second))
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			w := p.waiting.Load()
			if w != 0 && now.Sub(time.Unix(0, max(w, p.progress.Load()))) > stall {
				p.stallErr = fmt.Errorf("%w: no progress for %v", errStalled, stall)
				p.cancel(p.stallErr)
				p.pr.CloseWithError(p.stallErr) //nolint:errcheck // always nil
				close(p.stalled)
				return
			}
		}
	}
}

// Write passes b to the upload; once the upload has failed, it returns
// the upload's error.
func (p *rclonePart) Write(b []byte) (int, error) {
	p.waiting.Store(time.Now().UnixNano())
	n, err := p.pw.Write(b)
	p.waiting.Store(0)
	if err != nil {
		if uerr := p.wait(); uerr != nil {
			err = uerr
		}
		return n, plain("upload", err)
	}
	return n, nil
}

// Commit ends the upload and, for NAME.pending, moves it to the first of
// names that is free; an object that holds the same bytes counts as
// published, one that differs is passed over. A failure removes what was
// uploaded.
func (p *rclonePart) Commit(names split.Names) (split.Published, error) {
	name := names.Name()
	if p.closed {
		return split.Published{}, fmt.Errorf("commit %s: split already closed", name)
	}
	final, err := p.s.r.object(name)
	if err != nil {
		return split.Published{}, err
	}
	p.waiting.Store(time.Now().UnixNano())
	p.pw.Close() //nolint:errcheck // always nil
	if err := p.wait(); err != nil {
		if p.direct && preconditionFailed(err) {
			return split.Published{}, fmt.Errorf("upload %s: an object of that name appeared while it was uploaded, and the store refused to replace it (the next run compares them): %w", name, err)
		}
		return split.Published{}, plain("upload "+name, err)
	}
	if p.direct && p.obj == final {
		p.closed = true
		return split.Published{Names: names}, nil
	}
	res, err := p.s.publish(p.result, names)
	if err != nil {
		return split.Published{}, plain("publish "+name, err)
	}
	p.closed = true
	return res, nil
}

// plain returns "what: err", wrapping err unless its chain holds io.EOF
// (a lost connection, often): to a reader of the split's error, io.EOF
// means the end of the input, and the upload's failure would pass for a
// clean end.
func plain(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New(what + ": " + err.Error())
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Abort stops the upload and removes NAME.pending. A multipart upload is
// aborted by the backend; an upload straight to the final name is removed
// only if it completed but failed rclone's check of what arrived.
func (p *rclonePart) Abort() error {
	if p.closed {
		return nil
	}
	p.closed = true
	p.waiting.Store(time.Now().UnixNano())
	p.pw.CloseWithError(errAborted) //nolint:errcheck // always nil
	p.wait()                        //nolint:errcheck // the split is discarded
	p.cancel(errAborted)
	if p.direct && !p.checkFailed() {
		return nil
	}
	if err := p.s.remove(p.obj); err != nil {
		p.s.log("could not remove %s%s (the next start removes it): %v", p.s.r.Display(), p.obj, err)
		return err
	}
	return nil
}

// checkFailed reports an upload that ended with an object and an error:
// rclone's check of the uploaded object failed. An upload the store
// refused because the name exists (a conditional write) made nothing: the
// object there is someone else's.
func (p *rclonePart) checkFailed() bool {
	select {
	case <-p.done:
		return p.result != nil && p.err != nil && !preconditionFailed(p.err)
	default: // given up as stalled: nothing completed
		return false
	}
}

// cleanupTimeout bounds the removal of an unfinished upload.
const cleanupTimeout = 20 * time.Second

// StallFactor times rclone's IO timeout is how long an upload may take no
// data while data waits before it is cancelled.
const StallFactor = 4

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

// publish moves the uploaded object src to the first of names that is
// free, or removes it when one of them holds the same bytes. Where the
// store has a conditional write (S3) the move refuses an object made
// meanwhile; elsewhere an object another writer makes between the check
// and the move is replaced (one writer per prefix rules that out).
func (s *rcloneSink) publish(src fs.Object, names split.Names) (split.Published, error) {
	if s.overwrite {
		final, err := s.r.object(names.Name())
		if err == nil {
			err = s.move(src, final)
		}
		return split.Published{Names: names}, err
	}
	var pre split.Prefix
	for i := 0; i < split.MaxNames; i++ {
		final, err := s.r.object(names.Name())
		if err != nil {
			return split.Published{}, err
		}
		old, found, err := s.lookup(final)
		if err != nil {
			s.remove(src.Remote()) //nolint:errcheck // err is the one to report
			return split.Published{}, err
		}
		if !found {
			_, err := operations.Move(s.noReplace(s.ctx), s.f, nil, final, src)
			if err != nil && preconditionFailed(err) {
				continue // made meanwhile: look at it
			}
			if err != nil {
				s.remove(src.Remote()) //nolint:errcheck // the move error is the one to report
				return split.Published{}, err
			}
			return split.Published{Names: names, Prefix: pre}, nil
		}
		same, err := s.same(src, old)
		if err == nil && same {
			return split.Published{Names: names, Existed: true, Prefix: pre}, s.remove(src.Remote())
		}
		if err == nil && old.Size() >= 0 && old.Size() < src.Size() {
			var q split.Prefix
			var ok bool
			if q, ok, err = s.prefixOf(old, src); err == nil && ok {
				src, err = s.cut(src, q, names.Next())
				pre = pre.Add(q)
			}
		}
		if err != nil {
			s.remove(src.Remote()) //nolint:errcheck // err is the one to report
			return split.Published{}, fmt.Errorf("compare with %s: %w", final, err)
		}
		names = names.Next()
	}
	s.remove(src.Remote()) //nolint:errcheck // the names are the error
	return split.Published{}, fmt.Errorf("%s and the %d names after it all exist with other content", names.Name(), split.MaxNames-1)
}

// prefixOf is split.PrefixOf for two objects, read back.
func (s *rcloneSink) prefixOf(old, ours fs.Object) (split.Prefix, bool, error) {
	ro, err := operations.Open(s.ctx, old)
	if err != nil {
		return split.Prefix{}, false, err
	}
	defer ro.Close() //nolint:errcheck // a download: nothing to lose
	ru, err := operations.Open(s.ctx, ours)
	if err != nil {
		return split.Prefix{}, false, err
	}
	defer ru.Close() //nolint:errcheck // a download: nothing to lose
	return split.PrefixOf(bufio.NewReaderSize(ro, 1<<20), bufio.NewReaderSize(ru, 1<<20))
}

// cut uploads, as next's pending object, the file header of src and what
// follows the q.Bytes of records at its start, and removes src.
func (s *rcloneSink) cut(src fs.Object, q split.Prefix, next split.Names) (fs.Object, error) {
	obj, err := s.r.object(next.Name())
	if err != nil {
		return src, err
	}
	hdr, err := operations.Open(s.ctx, src, &fs.RangeOption{Start: 0, End: pcapio.HeaderLen - 1})
	if err != nil {
		return src, err
	}
	defer hdr.Close() //nolint:errcheck // a download: nothing to lose
	rest, err := operations.Open(s.ctx, src, &fs.RangeOption{Start: pcapio.HeaderLen + q.Bytes, End: -1})
	if err != nil {
		return src, err
	}
	defer rest.Close() //nolint:errcheck // a download: nothing to lose
	cut, err := s.RcatFunc(s.ctx, obj+split.PendingSuffix, io.NopCloser(io.MultiReader(io.LimitReader(hdr, pcapio.HeaderLen), rest)))
	if err != nil {
		return src, err
	}
	s.remove(src.Remote()) //nolint:errcheck // a stale .pending is swept at the next start
	return cut, nil
}

// lookup returns the object named obj, and whether there is one.
func (s *rcloneSink) lookup(obj string) (fs.Object, bool, error) {
	o, err := s.f.NewObject(s.ctx, obj)
	switch {
	case err == nil:
		return o, true, nil
	case errors.Is(err, fs.ErrorObjectNotFound) || errors.Is(err, fs.ErrorDirNotFound):
		return nil, false, nil
	case errors.Is(err, fs.ErrorIsDir):
		return nil, false, fmt.Errorf("%s%s is a folder", s.r.Display(), obj)
	}
	return nil, false, fmt.Errorf("look for %s%s: %w", s.r.Display(), obj, err)
}

// same reports whether two objects hold the same bytes: equal sizes, and
// equal hashes where the store gives both (MD5 on S3 for objects uploaded
// in one part, on local folders, ...), else equal bytes read back.
func (s *rcloneSink) same(a, b fs.Object) (bool, error) {
	if a.Size() != b.Size() {
		return false, nil
	}
	for _, ht := range s.f.Hashes().Array() {
		ha, erra := a.Hash(s.ctx, ht)
		hb, errb := b.Hash(s.ctx, ht)
		if erra == nil && errb == nil && ha != "" && hb != "" {
			return ha == hb, nil
		}
	}
	return operations.CheckIdenticalDownload(s.ctx, a, b)
}

// noReplace returns ctx asking the store not to replace an existing object
// on upload or copy, where it can (S3: If-None-Match: *).
func (s *rcloneSink) noReplace(ctx context.Context) context.Context {
	if !s.conditional {
		return ctx
	}
	ctx, ci := fs.AddConfig(ctx)
	ci.UploadHeaders = append(slices.Clone(ci.UploadHeaders), &fs.HTTPOption{Key: "If-None-Match", Value: "*"})
	return ctx
}

// preconditionFailed reports an S3 refusal of a conditional write: the
// object exists.
func preconditionFailed(err error) bool {
	var code interface{ ErrorCode() string }
	if errors.As(err, &code) && code.ErrorCode() == "PreconditionFailed" {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && status.HTTPStatusCode() == 412
}

// move renames an uploaded object (server-side where the store can, else
// by copy and delete), replacing an earlier object of that name
// (Options.Overwrite).
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

// warn logs a warning and writes its event.
func (s *rcloneSink) warn(opts Options, format string, args ...any) {
	s.log("warning: "+format, args...)
	opts.Events.Warn(format, args...)
}

// sweep removes NAME.pending objects of earlier runs and, on S3,
// multipart uploads older than the sweep age. It is housekeeping: a
// failure (an account allowed to upload but not to list, say) is logged
// and the run goes on.
func (s *rcloneSink) sweep(ctx context.Context, opts Options) {
	if n, err := s.sweepPending(ctx, opts.Suffix); err != nil {
		s.warn(opts, "could not remove stale .pending files in %s: %v", s.r.Display(), err)
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
		s.warn(opts, "could not abort multipart uploads older than %v in %s: %v", age, s.r.Display(), err)
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
		if !ok || !split.IsPendingOf(path.Base(o.Remote()), s.r.Leaf, suffix) {
			continue
		}
		if err := o.Remove(ctx); err != nil {
			return n, fmt.Errorf("remove %s: %w", o.Remote(), err)
		}
		n++
	}
	return n, nil
}
