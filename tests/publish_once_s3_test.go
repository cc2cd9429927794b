package tests

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rclone/rclone/fs/operations"

	_ "github.com/rclone/rclone/backend/s3"
)

// putS3 stores data as object name in folder sub of the test bucket,
// through S3.
func putS3(t *testing.T, r *remote, sub, name string, data []byte) {
	t.Helper()
	ctx := context.Background()
	f, err := r.s3.Fs(ctx, "pcap/"+sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operations.Rcat(ctx, f, name, io.NopCloser(bytes.NewReader(data)), time.Now(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestRcloneS3NeverReplaces: pcap_split run again into an S3 folder that
// holds its splits publishes nothing again (each object left as it was,
// counted as skipped); an object changed meanwhile is kept, and the split
// goes to NAME_2 with a warning. Time splits (uploaded straight to their
// name when it is free) and size splits (uploaded to NAME.pending, then
// copied).
func TestRcloneS3NeverReplaces(t *testing.T) {
	s3 := startRemote(t, "s3")
	conf := writeConf(t, s3.conf)
	in := gen(t, "--seed", "33", "--start", "2021-05-24T09:50:30Z", "--duration", "150s", "--size", "3MB")
	for _, mode := range []struct {
		name  string
		split []string
	}{{"time", []string{"--split-time", "60e9"}}, {"size", []string{"--split-byte", "1MB"}}} {
		t.Run(mode.name, func(t *testing.T) {
			args := append([]string{"--rclone", "--rclone-config", conf, "-o", s3.prefix(mode.name), "--filename-tstr-HHMMSS"}, mode.split...)
			dir := s3.dir(mode.name)
			if code, stderr := splitWith(t, in, nil, args...); code != 0 {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			names := files(t, dir)
			if len(names) < 3 {
				t.Fatalf("first run published %v", names)
			}
			sameRecs(t, "first run", readRecs(t, in), merged(t, dir, names))
			orig, _ := os.ReadFile(filepath.Join(dir, names[1]))
			age(t, dir)
			before := snapshot(t, dir)

			code, stderr := splitWith(t, in, nil, args...)
			if code != 0 || strings.Count(stderr, "is already published with the same content: not written again (skipped)") != len(names) ||
				!strings.Contains(stderr, "pcap_split: done: 0 files, ") {
				t.Fatalf("second run: exit %d; want every split skipped\n%s", code, stderr)
			}
			if after := snapshot(t, dir); !cmp.Equal(after, before) {
				t.Fatalf("second run touched published objects (-before +after):\n%s", cmp.Diff(before, after))
			}

			putS3(t, s3, mode.name, names[1], orig[:len(orig)/2]) // other bytes under the name
			age(t, dir)
			before = snapshot(t, dir)
			code, stderr = splitWith(t, in, nil, args...)
			dup := strings.TrimSuffix(names[1], ".pcap") + "_2.pcap"
			if code != 0 || !strings.Contains(stderr, "warning: "+s3.prefix(mode.name)+strings.TrimPrefix(names[1], "all")+" already exists with other content: published as ") {
				t.Fatalf("third run: exit %d; want a warning about %s\n%s", code, names[1], stderr)
			}
			after := snapshot(t, dir)
			for _, n := range names {
				if after[n] != before[n] {
					t.Errorf("third run replaced or touched %s", n)
				}
			}
			if b, _ := os.ReadFile(filepath.Join(dir, dup)); !bytes.Equal(b, orig) {
				t.Errorf("%s holds %d bytes; want the split's %d", dup, len(b), len(orig))
			}
			if got := len(files(t, dir)); got != len(names)+1 {
				t.Errorf("folder holds %v; want %v and %s", files(t, dir), names, dup)
			}
		})
	}
}

// TestRcloneS3RefusesAnObjectMadeDuringUpload: an object appears under a
// time split's name while the split uploads straight to that name: S3
// (If-None-Match: *) refuses to replace it, pcap_split fails naming the
// split and leaves the object whole; the next run finds it, compares, and
// publishes the split as NAME_2.
func TestRcloneS3RefusesAnObjectMadeDuringUpload(t *testing.T) {
	s3 := startRemote(t, "s3")
	conf := writeConf(t, s3.conf)
	in := gen(t, "--seed", "34", "--start", "2021-05-24T09:50:30Z", "--duration", "150s", "--size", "3MB")
	b, _ := os.ReadFile(in)
	args := []string{"--rclone", "--rclone-config", conf, "-o", s3.prefix("race"), "--filename-tstr-HHMMSS", "--split-time", "60e9"}
	first := "all_20210524_095000.pcap"
	p := startSplit(t, nil, args...)
	p.stdin.Write(b[:len(b)/10])
	waitUntil(t, 10*time.Second, "the first split to open", func() bool { return strings.Contains(p.stderr.String(), first+" : ") })
	intruder := []byte("another writer's object")
	putS3(t, s3, "race", first, intruder)
	p.stdin.Write(b[len(b)/10:])
	code := p.wait(t, time.Minute)
	stderr := p.stderr.String()
	if code != 1 || !strings.Contains(stderr, "an object of that name appeared while it was uploaded, and the store refused to replace it") {
		t.Fatalf("exit %d; want a refusal naming %s\n%s", code, first, stderr)
	}
	if got, err := os.ReadFile(filepath.Join(s3.dir("race"), first)); !bytes.Equal(got, intruder) {
		t.Fatalf("the object made during the upload was replaced: it holds %d bytes (%v); folder %v\n%s", len(got), err, files(t, s3.dir("race")), stderr)
	}
	code, stderr = splitWith(t, in, nil, args...)
	if code != 0 || !strings.Contains(stderr, "already exists with other content: published as "+s3.prefix("race")+"_20210524_095000_2.pcap") {
		t.Fatalf("next run: exit %d\n%s", code, stderr)
	}
	names := files(t, s3.dir("race"))
	sameRecs(t, "published", readRecs(t, in), merged(t, s3.dir("race"), names[1:]))
}
