package tests

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/rclone/rclone/backend/crypt" // reading back through crypt
	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/config/obscure"

	"github.com/pcappush/pcappush/internal/testutil"
)

// TestCryptRemoteOverS3: splits pushed through an rclone crypt remote
// over the S3 server are stored encrypted: the objects in the bucket are
// not PCAP (capinfos and tcpdump refuse them) and hold none of the
// packets' bytes; read back through rclone's crypt backend with the same
// passwords, each minute equals the input's packets.
func TestCryptRemoteOverS3(t *testing.T) {
	r := startRemote(t, "s3")
	in := gen(t, "--seed", "43", "--start", "2021-05-24T09:50:30Z", "--duration", "2m", "--size", "6MB")
	recs := readRecs(t, in)
	pass, salt := obscure.MustObscure("pcappush-crypt-test-password"), obscure.MustObscure("pcappush-crypt-test-salt")
	sealed := fmt.Sprintf("[sealed]\ntype = crypt\nremote = %s:pcap/sealed\nfilename_encryption = off\ndirectory_name_encryption = false\npassword = %s\npassword2 = %s\n\n",
		r.name, pass, salt)
	conf := writeConf(t, r.conf, sealed)
	code, stderr := splitWith(t, in, nil, "--rclone", "--rclone-config", conf, "-o", "sealed:site1/all",
		"--split-time", "60e9", "--filename-tstr-HHMMSS")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}

	// in the bucket: NAME.pcap.bin, not PCAP
	dir := r.dir("sealed/site1")
	stored := files(t, dir)
	groups := byMinute(recs)
	if len(stored) != len(groups) {
		t.Fatalf("the bucket holds %v; want %d objects", stored, len(groups))
	}
	capinfos, tcpdump := testutil.Need(t, "capinfos"), testutil.Need(t, "tcpdump")
	for _, n := range stored {
		p := filepath.Join(dir, n)
		if !strings.HasSuffix(n, ".pcap.bin") {
			t.Errorf("object %s; want NAME.pcap.bin (crypt, names in clear)", n)
		}
		if res := testutil.Run(t, nil, capinfos, p); res.Code == 0 {
			t.Errorf("capinfos reads the stored object %s:\n%s", n, res.Stdout)
		}
		if res := testutil.Run(t, nil, tcpdump, "-nr", p); res.Code == 0 {
			t.Errorf("tcpdump reads the stored object %s", n)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range recs[:50] {
			if len(x.Data) >= 32 && strings.Contains(string(b), x.Data[:32]) {
				t.Fatalf("%s holds a packet's bytes in clear", n)
			}
		}
	}

	// read back through rclone's crypt backend, as a reader of the bucket
	// with the passwords would
	ctx := context.Background()
	s3 := fmt.Sprintf(":s3,provider=Other,access_key_id=%s,secret_access_key=%s,endpoint='http://%s',force_path_style=true,region=us-east-1:pcap/sealed",
		r.s3.Access, r.s3.Secret, r.s3.Addr)
	f, err := fs.NewFs(ctx, fmt.Sprintf(`:crypt,remote="%s",filename_encryption=off,directory_name_encryption=false,password=%s,password2=%s:site1`, s3, pass, salt))
	if err != nil {
		t.Fatal(err)
	}
	for m, want := range groups {
		name := minuteName(m, ".pcap")
		o, err := f.NewObject(ctx, name)
		if err != nil {
			t.Fatalf("%s through crypt: %v", name, err)
		}
		rc, err := o.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close() //nolint:errcheck // read fully
		if err != nil {
			t.Fatal(err)
		}
		sameRecs(t, name+" read through crypt", want, parseRecs(t, name, b))
	}

	// and a time window read back by stream_cat --from through the same
	// crypt remote: the packets of [09:51:00, 09:52:00) in time order
	t1, t2 := int64(1621849860e9), int64(1621849920e9)
	res := testutil.Run(t, nil, testutil.Tool(t, "stream_cat"), "--from", "sealed:site1/all", "--rclone-config", conf,
		"--start-time", strconv.FormatInt(t1/1e9, 10), "--end-time", strconv.FormatInt(t2/1e9, 10))
	if res.Code != 0 {
		t.Fatalf("stream_cat --from through crypt: exit %d:\n%s", res.Code, res.Stderr)
	}
	var want []rec
	for _, x := range recs {
		if x.Time >= t1 && x.Time < t2 {
			want = append(want, x)
		}
	}
	if len(want) == 0 {
		t.Fatal("no packets in the window: the test proves nothing")
	}
	sameRecs(t, "stream_cat --from through crypt", want, parseRecs(t, "window", res.Stdout))
}
