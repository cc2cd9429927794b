package output

import (
	"testing"
)

func TestParseRemote(t *testing.T) {
	tests := []struct {
		prefix             string
		name, dir, leaf    string
		fs, display, split string // FsString, Display, object("<prefix>_T.pcap")
		ok                 bool
	}{
		// the reference system's forms: NAME://PATH is absolute
		{"s3-fmad://pcap/all", "s3-fmad", "/pcap", "all", "s3-fmad:/pcap/", "s3-fmad://pcap/", "all_T.pcap", true},
		{"ssh://mnt/store0/tmp2/rclone/everything", "ssh", "/mnt/store0/tmp2/rclone", "everything", "ssh:/mnt/store0/tmp2/rclone/", "ssh://mnt/store0/tmp2/rclone/", "everything_T.pcap", true},
		{"gdrive://pcap/all", "gdrive", "/pcap", "all", "gdrive:/pcap/", "gdrive://pcap/", "all_T.pcap", true},
		{"s3-fmad://pcap/", "s3-fmad", "/pcap", "", "s3-fmad:/pcap/", "s3-fmad://pcap/", "T.pcap", true},
		{"ssh://all", "ssh", "/", "all", "ssh:/", "ssh://", "all_T.pcap", true},
		// rclone's forms
		{"remote:dir/all", "remote", "dir", "all", "remote:dir/", "remote:dir/", "all_T.pcap", true},
		{"remote:dir/", "remote", "dir", "", "remote:dir/", "remote:dir/", "T.pcap", true},
		{"remote:all", "remote", "", "all", "remote:", "remote:", "all_T.pcap", true},
		{"remote:/abs/all", "remote", "/abs", "all", "remote:/abs/", "remote:/abs/", "all_T.pcap", true},
		{"remote:/", "remote", "/", "", "remote:/", "remote:/", "T.pcap", true},
		{"my remote:a/b/c", "my remote", "a/b", "c", "my remote:a/b/", "my remote:a/b/", "c_T.pcap", true},
		{":sftp,host=h,user=u:/x/all", ":sftp", "/x", "all", ":sftp,host=h,user=u:/x/", ":sftp,host=h,user=u:/x/", "all_T.pcap", true},
		{"remote,shell_type=none:d/", "remote", "d", "", "remote,shell_type=none:d/", "remote,shell_type=none:d/", "T.pcap", true},
		{":webdav,url='http://h/x':in/all", ":webdav", "in", "all", ":webdav,url='http://h/x':in/", ":webdav,url='http://h/x':in/", "all_T.pcap", true},
		// local paths
		{"/data/push/all", "", "/data/push", "all", "/data/push/", "/data/push/", "all_T.pcap", true},
		{"rel/", "", "rel", "", "rel/", "rel/", "T.pcap", true},
		// no folder
		{"remote:", "", "", "", "", "", "", false},
		{"remote://", "remote", "/", "", "remote:/", "remote://", "T.pcap", true},
		{"bad*name:x", "", "", "", "", "", "", false},
	}
	for _, tt := range tests {
		r, err := ParseRemote(tt.prefix)
		if (err == nil) != tt.ok {
			t.Errorf("ParseRemote(%q) error %v; want ok=%v", tt.prefix, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		if r.Name != tt.name || r.Dir != tt.dir || r.Leaf != tt.leaf {
			t.Errorf("ParseRemote(%q) = name %q dir %q leaf %q; want %q %q %q", tt.prefix, r.Name, r.Dir, r.Leaf, tt.name, tt.dir, tt.leaf)
		}
		if got := r.FsString(); got != tt.fs {
			t.Errorf("ParseRemote(%q).FsString() = %q; want %q", tt.prefix, got, tt.fs)
		}
		if got := r.Display(); got != tt.display {
			t.Errorf("ParseRemote(%q).Display() = %q; want %q", tt.prefix, got, tt.display)
		}
		sep := "_"
		if tt.leaf == "" {
			sep = ""
		}
		if got, err := r.object(tt.prefix + sep + "T.pcap"); err != nil || got != tt.split {
			t.Errorf("ParseRemote(%q).object(...) = %q, %v; want %q", tt.prefix, got, err, tt.split)
		}
	}
}

func TestObjectRefusesForeignNames(t *testing.T) {
	r, err := ParseRemote("s3://b/all")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"s3://c/all_1.pcap", "s3://b/all_x/y.pcap", "all_1.pcap"} {
		if got, err := r.object(name); err == nil {
			t.Errorf("object(%q) = %q; want an error", name, got)
		}
	}
}

func FuzzParseRemote(f *testing.F) {
	for _, s := range []string{"s3-fmad://pcap/all", "remote:dir/", ":sftp,host=h:/x/all", "/local/all", "a://", "r:'q", "x:/:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		r, err := ParseRemote(prefix)
		if err != nil {
			return
		}
		if r.Prefix != prefix || r.Display()+r.Leaf != prefix {
			t.Fatalf("ParseRemote(%q): display %q + leaf %q is not the prefix", prefix, r.Display(), r.Leaf)
		}
		name := prefix + "_20210524_095100.pcap"
		if r.Leaf == "" {
			name = prefix + "20210524_095100.pcap"
		}
		obj, err := r.object(name)
		if err != nil {
			t.Fatalf("ParseRemote(%q).object(%q): %v", prefix, name, err)
		}
		if r.Leaf != "" && obj != r.Leaf+"_20210524_095100.pcap" {
			t.Fatalf("ParseRemote(%q).object(%q) = %q", prefix, name, obj)
		}
	})
}
