package output

import (
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
