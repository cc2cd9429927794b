package output

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/rclone/rclone/backend/local"
)

func TestWithDir(t *testing.T) {
	tests := []struct{ prefix, dir, want string }{
		{"s3-fmad://pcap/*/all", "/pcap/sensor1", "s3-fmad://pcap/sensor1/all"},
		{"s3-fmad://pcap/*/", "/pcap/sensor1", "s3-fmad://pcap/sensor1/"},
		{"remote:pcap/*/all", "pcap/s2", "remote:pcap/s2/all"},
		{"remote:*/all", "s2", "remote:s2/all"},
		{"remote:/x/*/all", "/x/y", "remote:/x/y/all"},
		{":sftp,host=h:/x/*/all", "/x/y", ":sftp,host=h:/x/y/all"},
		{"/mnt/push/*/all", "/mnt/push/s1", "/mnt/push/s1/all"},
		{"push/*/all", "push/s1", "push/s1/all"},
		{"/x/all", "/", "/all"},
	}
	for _, tt := range tests {
		r, err := ParseRemote(tt.prefix)
		if err != nil {
			t.Fatalf("ParseRemote(%q): %v", tt.prefix, err)
		}
		got := r.WithDir(tt.dir)
		if got.Prefix != tt.want || got.Dir != tt.dir || got.Leaf != r.Leaf {
			t.Errorf("ParseRemote(%q).WithDir(%q) = %+v; want prefix %q", tt.prefix, tt.dir, got, tt.want)
		}
		if back, err := ParseRemote(got.Prefix); err != nil || back.Dir != got.Dir || back.Leaf != got.Leaf || back.Name != got.Name {
			t.Errorf("ParseRemote(%q) = %+v, %v; want dir %q leaf %q", got.Prefix, back, err, got.Dir, got.Leaf)
		}
	}
	if !IsRemote("s3-fmad://pcap/all") || !IsRemote("remote:x/") || IsRemote("/mnt/push/all") || IsRemote("push/all") {
		t.Error("IsRemote tells remotes from local paths wrongly")
	}
}

func TestOpenFs(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "rclone.conf")
	if err := os.WriteFile(conf, []byte("[loc]\ntype = local\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, prefix := range []string{dir + "/all", "loc:" + dir + "/all"} {
		r, _ := ParseRemote(prefix)
		f, err := OpenFs(ctx, r, Options{RcloneConfig: conf})
		if err != nil {
			t.Fatalf("OpenFs(%q): %v", prefix, err)
		}
		if f.Root() != dir {
			t.Errorf("OpenFs(%q) root %q; want %q", prefix, f.Root(), dir)
		}
	}
	var ce *ConfigError
	r, _ := ParseRemote("nope:x/all")
	if _, err := OpenFs(ctx, r, Options{RcloneConfig: conf}); !errors.As(err, &ce) {
		t.Errorf("OpenFs of an unknown remote: %v; want a *ConfigError", err)
	}
}
