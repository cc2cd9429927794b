package output

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/config"
	"github.com/rclone/rclone/fs/operations"

	_ "github.com/rclone/rclone/backend/local"

	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/split"
)

func ls(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// publish writes data as one split created as name and committed as final.
func publish(t *testing.T, s split.Sink, name, final string, data []byte) {
	t.Helper()
	p, err := s.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := commit(p, final); err != nil {
		t.Fatal(err)
	}
}

// commit publishes p under name.
func commit(p split.Part, name string) error {
	_, err := p.Commit(split.Names{Base: name})
	return err
}

func TestOpenFilesSweepsAndChains(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"all_1.pcap.gz.pending", "all_2.pcap.gz.pending", "all_3.pcap.pending", "other_1.pcap.gz.pending", "all_0.pcap.gz"} {
		touch(t, filepath.Join(dir, f))
	}
	var log bytes.Buffer
	// compression first, then the command: here the command adds a line
	// after the gzip stream, which gzip -d would ignore with a warning,
	// but which proves the order.
	out, err := Open(context.Background(), filepath.Join(dir, "all"), Options{Compress: "gzip:1", PipeCmd: "cat; printf END", Suffix: ".pcap.gz", Log: &log, LogPrefix: "t: "})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if want := []string{"all_0.pcap.gz", "all_3.pcap.pending", "other_1.pcap.gz.pending"}; !slices.Equal(ls(t, dir), want) {
		t.Errorf("after the sweep: %v; want %v", ls(t, dir), want)
	}
	if !strings.Contains(log.String(), "t: removed 2 stale .pending files in "+dir) {
		t.Errorf("log %q; want the sweep noted", log.String())
	}
	data := bytes.Repeat([]byte("packet bytes "), 10000)
	publish(t, out, filepath.Join(dir, "all_4.pcap.gz"), filepath.Join(dir, "all_5.pcap.gz"), data)
	b, err := os.ReadFile(filepath.Join(dir, "all_5.pcap.gz"))
	if err != nil {
		t.Fatal(err)
	}
	body, ok := bytes.CutSuffix(b, []byte("END"))
	if !ok {
		t.Fatalf("the pipe command did not run after the compression")
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, data) {
		t.Errorf("decompressed %d bytes, %v; want the %d written", len(got), err, len(data))
	}
}

func TestOpenRcloneLocalPublishesThroughPending(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	touch(t, filepath.Join(dir, "all_9.pcap.pending"))
	out, err := Open(context.Background(), dir+"/all", Options{Rclone: true, RcloneConfig: conf, Suffix: ".pcap"})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if got := ls(t, dir); len(got) != 0 {
		t.Errorf("after the sweep: %v; want an empty folder", got)
	}
	if !strings.Contains(out.Where, "rclone local folder") {
		t.Errorf("Where = %q", out.Where)
	}
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 300_000) // past rclone's streaming cutoff
	p, err := out.Create(dir + "/all_1.pcap")
	if err != nil {
		t.Fatal(err)
	}
	p.Write(data[:1<<20])
	waitFor(t, func() bool { return slices.Contains(ls(t, dir), "all_1.pcap.pending") })
	p.Write(data[1<<20:])
	if err := commit(p, dir+"/all_1-2.pcap"); err != nil {
		t.Fatal(err)
	}
	if got := ls(t, dir); !slices.Equal(got, []string{"all_1-2.pcap"}) {
		t.Errorf("after commit: %v; want [all_1-2.pcap]", got)
	}
	if b, _ := os.ReadFile(dir + "/all_1-2.pcap"); !bytes.Equal(b, data) {
		t.Errorf("published %d bytes; want the %d written", len(b), len(data))
	}
	q, _ := out.Create(dir + "/all_3.pcap")
	q.Write(data)
	if err := q.Abort(); err != nil {
		t.Errorf("abort: %v", err)
	}
	if _, err := q.Write(data); err == nil {
		t.Errorf("write after abort succeeded")
	}
	if got := ls(t, dir); !slices.Equal(got, []string{"all_1-2.pcap"}) {
		t.Errorf("after abort: %v; want [all_1-2.pcap]", got)
	}
	if err := commit(p, dir+"/all_1-2.pcap"); err == nil {
		t.Errorf("second commit succeeded")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 5 s")
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "rclone.conf")
	if err := os.WriteFile(conf, []byte("[s3-fmad]\ntype = s3\nsecret_access_key = hush\n\n[mega]\ntype = mega\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RCLONE_CONFIG_ENVREMOTE_TYPE", "sftp")
	tests := []struct {
		prefix string
		opts   Options
		want   string // error text; "" for none
	}{
		{"s3-fmad://pcap/all", Options{Rclone: true, RcloneConfig: conf}, ""},
		{"envremote:/x/", Options{Rclone: true, RcloneConfig: conf}, ""},
		{":sftp,host=h:/x/", Options{Rclone: true, RcloneConfig: conf}, ""},
		{"/local/path", Options{Rclone: true, RcloneConfig: conf}, ""},
		{"nope://x/all", Options{Rclone: true, RcloneConfig: conf}, `rclone remote "nope" is not defined in ` + conf + " nor by RCLONE_CONFIG_NOPE_TYPE"},
		{"mega:x/", Options{Rclone: true, RcloneConfig: conf}, `rclone remote "mega" has type "mega", which is not built in`},
		{":nosuch:x/", Options{Rclone: true, RcloneConfig: conf}, `has type "nosuch"`},
		{"s3-fmad:", Options{Rclone: true, RcloneConfig: conf}, "has no folder"},
		{"s3-fmad:x/", Options{Rclone: true, RcloneConfig: filepath.Join(dir, "missing.conf")}, "missing.conf: file does not exist"},
		{"/x/all", Options{Compress: "brotli"}, `--compress: unknown compression "brotli"`},
	}
	for _, tt := range tests {
		err := Check(tt.prefix, tt.opts)
		var ce *ConfigError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%q) = %v; want nil", tt.prefix, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ce)):
			t.Errorf("Check(%q) = %v; want a *ConfigError with %q", tt.prefix, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "hush") {
			t.Errorf("Check(%q) = %v: shows a secret", tt.prefix, err)
		}
	}
}

func TestConfigIsNeverWritten(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	orig := []byte("[r]\ntype = local\n")
	if err := os.WriteFile(conf, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Check("r:/tmp/x/", Options{Rclone: true, RcloneConfig: conf}); err != nil {
		t.Fatal(err)
	}
	// what a backend does when it learns something (sftp's shell type)
	if err := fs.ConfigFileSet("r", "shell_type", "unix"); err != nil {
		t.Fatal(err)
	}
	config.SaveConfig()
	if b, _ := os.ReadFile(conf); !bytes.Equal(b, orig) {
		t.Errorf("config file rewritten: %q", b)
	}
	if v, _ := config.FileGetValue("r", "shell_type"); v != "unix" {
		t.Errorf("learned value %q not kept in memory", v)
	}
}

func TestRcloneConfigPath(t *testing.T) {
	t.Setenv("RCLONE_CONFIG", "/env/rclone.conf")
	if got := RcloneConfigPath("/flag.conf"); got != "/flag.conf" {
		t.Errorf("flag: %q", got)
	}
	if got := RcloneConfigPath(""); got != "/env/rclone.conf" {
		t.Errorf("env: %q", got)
	}
	t.Setenv("RCLONE_CONFIG", "")
	if got := RcloneConfigPath(""); got != install.RcloneConfig {
		t.Errorf("default: %q", got)
	}
}

func TestLogHandler(t *testing.T) {
	var b bytes.Buffer
	h := &logHandler{w: &b, prefix: "pcap_split: rclone: "}
	r := slog.NewRecord(time.Now(), fs.SlogLevelNotice, "Streaming uploads use 5Mi chunks\n", 0)
	r.AddAttrs(slog.String("object", "S3 bucket pcap"), slog.String("objectType", "*s3.Fs"))
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	r = slog.NewRecord(time.Now(), slog.LevelError, "failed", 0)
	h.Handle(context.Background(), r)
	want := "pcap_split: rclone: NOTICE: S3 bucket pcap: Streaming uploads use 5Mi chunks\npcap_split: rclone: ERROR: failed\n"
	if b.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSuffix(t *testing.T) {
	for in, want := range map[string]string{"": ".pcap", "gzip": ".pcap.gz", "zstd:1": ".pcap.zst", "lz4:9": ".pcap.lz4"} {
		if got, err := Suffix(Options{Compress: in}); err != nil || got != want {
			t.Errorf("Suffix(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Suffix(Options{Compress: "xz"}); err == nil {
		t.Error("Suffix(xz) succeeded")
	}
}

func TestPlainHidesEOF(t *testing.T) {
	for _, cause := range []error{io.EOF, io.ErrUnexpectedEOF, fmt.Errorf("read: %w", io.EOF)} {
		err := plain("upload x", cause)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || err.Error() != "upload x: "+cause.Error() {
			t.Errorf("plain(%v) = %q; want the text without the EOF chain", cause, err)
		}
	}
	if err := plain("upload x", os.ErrPermission); !errors.Is(err, os.ErrPermission) {
		t.Errorf("plain lost the chain of %v", os.ErrPermission)
	}
}

// stuckSink is an rclone sink whose uploads read one chunk, then hang
// until cancelled, like a server that stopped answering.
func stuckSink(t *testing.T, stall time.Duration) *rcloneSink {
	r, err := ParseRemote("s3://b/all")
	if err != nil {
		t.Fatal(err)
	}
	// overwrite: no Fs to look the name up in
	s := &rcloneSink{r: r, ctx: context.Background(), direct: true, overwrite: true, stall: stall, log: t.Logf}
	s.RcatFunc = func(ctx context.Context, _ string, in io.ReadCloser) (fs.Object, error) {
		buf := make([]byte, 100)
		in.Read(buf)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s
}

func TestStalledUploadIsCancelled(t *testing.T) {
	for _, atCommit := range []bool{false, true} {
		s := stuckSink(t, 300*time.Millisecond)
		p, _ := s.Create("s3://b/all_1.pcap")
		p.Write([]byte("first chunk read"))
		start := time.Now()
		var err error
		if atCommit {
			err = commit(p, "s3://b/all_1.pcap")
		} else {
			_, err = p.Write([]byte("never read"))
		}
		took := time.Since(start)
		if !errors.Is(err, errStalled) || !strings.Contains(err.Error(), "no progress for 300ms") {
			t.Errorf("commit=%v: %v; want a stall error", atCommit, err)
		}
		if took < 300*time.Millisecond || took > 3*time.Second {
			t.Errorf("commit=%v: gave up after %v; want about 300ms", atCommit, took)
		}
		p.Abort()
	}
}

func TestQuietInputIsNoStall(t *testing.T) {
	s := stuckSink(t, 100*time.Millisecond)
	p, _ := s.Create("s3://b/all_1.pcap")
	p.Write([]byte("x"))
	time.Sleep(500 * time.Millisecond) // no data waiting: the upload is not stuck
	select {
	case <-p.(*rclonePart).done:
		t.Fatalf("upload cancelled while nothing waited for it: %v", p.(*rclonePart).err)
	default:
	}
	p.Abort()
}

// discardSink is an rclone sink whose uploads read everything and keep
// nothing.
func discardSink(t testing.TB) *rcloneSink {
	r, err := ParseRemote("s3://b/all")
	if err != nil {
		t.Fatal(err)
	}
	s := &rcloneSink{r: r, ctx: context.Background(), direct: true, overwrite: true, stall: time.Minute} // overwrite: no Fs to look names up in
	s.RcatFunc = func(ctx context.Context, _ string, in io.ReadCloser) (fs.Object, error) {
		buf := make([]byte, 1<<20)
		for {
			if _, err := in.Read(buf); err != nil {
				return nil, nil
			}
		}
	}
	return s
}

func TestRclonePartWriteDoesNotAllocate(t *testing.T) {
	p, err := discardSink(t).Create("s3://b/all_1.pcap")
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	if allocs := testing.AllocsPerRun(100, func() { p.Write(chunk) }); allocs > 0 {
		t.Errorf("%.1f allocations per write; want 0", allocs)
	}
	if err := commit(p, "s3://b/all_1.pcap"); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRclonePartWrite(b *testing.B) {
	p, err := discardSink(b).Create("s3://b/all_1.pcap")
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		p.Write(chunk)
	}
	commit(p, "s3://b/all_1.pcap")
}

func TestFailedCheckRemovesADirectUpload(t *testing.T) {
	dir := t.TempDir()
	f, err := fs.NewFs(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := ParseRemote(dir + "/all")
	s := &rcloneSink{r: r, f: f, ctx: context.Background(), direct: true, log: t.Logf}
	// an upload that lands whole, then fails rclone's check of it
	s.RcatFunc = func(ctx context.Context, name string, in io.ReadCloser) (fs.Object, error) {
		obj, err := operations.Rcat(ctx, f, name, in, time.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return obj, errors.New("corrupted on transfer")
	}
	p, _ := s.Create(dir + "/all_1.pcap")
	p.Write([]byte("data"))
	if err := commit(p, dir+"/all_1.pcap"); err == nil || !strings.Contains(err.Error(), "corrupted on transfer") {
		t.Fatalf("commit: %v; want the check's error", err)
	}
	p.Abort()
	if got := ls(t, dir); len(got) != 0 {
		t.Errorf("after the failed check: %v; want nothing published", got)
	}
}

func TestEncryptedConfig(t *testing.T) {
	plain := "[enc]\ntype = local\n"
	if err := config.SetConfigPassword("pw-7c1e"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err := config.Encrypt(strings.NewReader(plain), &b)
	config.ClearConfigPassword()
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RCLONE_CONFIG_PASS", "")
	os.Unsetenv("RCLONE_CONFIG_PASS")
	err = Check("enc:/tmp/x/", Options{Rclone: true, RcloneConfig: conf})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "set RCLONE_CONFIG_PASS") {
		t.Errorf("without a password: %v; want a config error asking for RCLONE_CONFIG_PASS", err)
	}
	t.Setenv("RCLONE_CONFIG_PASS", "pw-7c1e")
	if err := Check("enc:/tmp/x/", Options{Rclone: true, RcloneConfig: conf}); err != nil {
		t.Errorf("with RCLONE_CONFIG_PASS: %v", err)
	}
	config.ClearConfigPassword()
}

// TestRcloneNeverReplaces: through rclone, a split whose final name holds
// the same bytes counts as published and the object is left alone; one
// whose name holds other bytes goes to NAME_2; --overwrite replaces.
func TestRcloneNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	os.WriteFile(conf, nil, 0o600)
	final := filepath.Join(dir, "all_1.pcap")
	os.WriteFile(final, []byte("published"), 0o640)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(final, old, old)
	before, _ := os.Stat(final)
	names := split.Names{Base: dir + "/all_1", Suffix: ".pcap"}
	up := func(opts Options, data string) split.Published {
		t.Helper()
		opts.Rclone, opts.RcloneConfig, opts.Suffix = true, conf, ".pcap"
		out, err := Open(context.Background(), dir+"/all", opts)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		p, err := out.Create(names.Name())
		if err != nil {
			t.Fatal(err)
		}
		p.Write([]byte(data))
		res, err := p.Commit(names)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := up(Options{}, "published"); !res.Existed || res.Name() != final {
		t.Errorf("same bytes: %+v; want existed at %s", res, final)
	}
	after, _ := os.Stat(final)
	if !os.SameFile(before, after) || !after.ModTime().Equal(old) {
		t.Error("the published object was replaced or touched")
	}
	if res := up(Options{}, "other"); res.Existed || res.Name() != dir+"/all_1_2.pcap" {
		t.Errorf("other bytes: %+v; want all_1_2.pcap", res)
	}
	if res := up(Options{NamesFinal: true}, "other"); !res.Existed || res.Name() != dir+"/all_1_2.pcap" {
		t.Errorf("other bytes again: %+v; want existed at all_1_2.pcap", res)
	}
	if got := ls(t, dir); !slices.Equal(got, []string{"all_1.pcap", "all_1_2.pcap"}) {
		t.Errorf("folder holds %v", got)
	}
	if b, _ := os.ReadFile(final); string(b) != "published" {
		t.Errorf("%s holds %q", final, b)
	}
	if res := up(Options{Overwrite: true}, "new"); res.Existed || res.Name() != final {
		t.Errorf("overwrite: %+v", res)
	}
	if b, _ := os.ReadFile(final); string(b) != "new" {
		t.Errorf("after overwrite %s holds %q", final, b)
	}
}
