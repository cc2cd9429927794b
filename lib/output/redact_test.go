package output

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRedact: the secret values of a connection string never survive in a
// message that quotes the prefix; other options and plain remotes stay.
func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		secrets []string
		want    string // the prefix, redacted
	}{
		{":sftp,host=127.0.0.1,user=bob,pass=S3CR3T:/push/all", []string{"pass"}, ":sftp,host=127.0.0.1,user=bob,pass=***:/push/all"},
		{":s3,provider=Minio,access_key_id=AKID,secret_access_key=S3CR3T,endpoint=http://127.0.0.1:9000:pcap/all",
			[]string{"access_key_id", "secret_access_key"}, ":s3,provider=Minio,access_key_id=***,secret_access_key=***,endpoint=http://127.0.0.1:9000:pcap/all"},
		{`:ftp,host=h,pass="S3,CR3T":/x/`, []string{"pass"}, `:ftp,host=h,pass=***:/x/`},
		{"myremote,session_token=S3CR3T:dir/all", []string{"session_token"}, "myremote,session_token=***:dir/all"},
		{":sftp,host=h,user=u:/x/all", nil, ":sftp,host=h,user=u:/x/all"},
		{"s3-fmad://pcap/all", nil, "s3-fmad://pcap/all"},
		{"remote:dir/all", nil, "remote:dir/all"},
		{":webdav,url='http://bob:S3CR3T@127.0.0.1:8080/dav',vendor=other:/x/all", []string{"url"}, ":webdav,url='http://***@127.0.0.1:8080/dav',vendor=other:/x/all"},
		{":http,url='https://S3CR3T@h/':/x/", []string{"url"}, ":http,url='https://***@h/':/x/"},
		{":http,url=https://u:S3CR3T@h/:/x/", []string{"the user of a URL"}, ":http,url=https://***@h/:/x/"},
		{":webdav,url='http://h/',headers='Authorization,Bearer S3CR3T':/x/all", []string{"headers"}, ":webdav,url='http://h/',headers=***:/x/all"},
	} {
		r, err := ParseRemote(tc.prefix)
		if err != nil {
			t.Fatalf("%s: %v", tc.prefix, err)
		}
		if got := r.SecretOptions(); !slices.Equal(got, tc.secrets) {
			t.Errorf("%s: secret options %q; want %q", tc.prefix, got, tc.secrets)
		}
		msg := "upload " + tc.prefix + "_1621849860.pcap: failed"
		got := r.Redact(msg)
		if want := "upload " + tc.want + "_1621849860.pcap: failed"; got != want {
			t.Errorf("Redact(%q) = %q; want %q", msg, got, want)
		}
		if strings.Contains(got, "S3CR3T") || strings.Contains(got, "AKID") {
			t.Errorf("%q still holds a secret", got)
		}
	}
}

func TestConfigPermWarning(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(p, []byte("[r]\ntype = local\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	own := os.Getgid()
	for _, tc := range []struct {
		mode os.FileMode
		gid  int
		want string
	}{
		{0o600, own, ""},
		{0o640, own, ""},
		{0o640, own + 1, "readable by group"},
		{0o644, own, "readable by everyone"},
		{0o660, own, "writable by group or others"},
	} {
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		got := ConfigPermWarning(p, tc.gid)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("mode %v, service group %d: %q; want %q", tc.mode, tc.gid, got, tc.want)
		}
	}
	if got := ConfigPermWarning(p+".missing", own); got != "" {
		t.Errorf("missing file: %q", got)
	}
}
