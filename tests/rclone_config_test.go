package tests

import (
	"strings"
	"testing"
)

func TestRcloneEnvironment(t *testing.T) {
	r := startRemote(t, "s3")
	in := gen(t, "--seed", "28", "--start", "2021-05-24T09:50:30Z", "--duration", "1m", "--size", "3MB")
	recs := readRecs(t, in)
	empty := writeConf(t)
	// a remote defined only by rclone's variables, a config file named by
	// RCLONE_CONFIG, global options from the environment
	env := []string{
		"RCLONE_CONFIG=" + empty,
		"RCLONE_CONFIG_ENVS3_TYPE=s3", "RCLONE_CONFIG_ENVS3_PROVIDER=Other",
		"RCLONE_CONFIG_ENVS3_ACCESS_KEY_ID=" + r.s3.Access, "RCLONE_CONFIG_ENVS3_SECRET_ACCESS_KEY=" + r.s3.Secret,
		"RCLONE_CONFIG_ENVS3_ENDPOINT=http://" + r.srv.Addr, "RCLONE_CONFIG_ENVS3_FORCE_PATH_STYLE=true",
		"RCLONE_CONFIG_ENVS3_REGION=us-east-1",
		"RCLONE_LOW_LEVEL_RETRIES=2", "RCLONE_TIMEOUT=10s", "RCLONE_CONTIMEOUT=5s",
	}
	code, stderr := splitWith(t, in, env, "--rclone", "-o", "envs3:pcap/env/all", "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", "gzip:1")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Output Mode RClone, config "+empty) {
		t.Errorf("RCLONE_CONFIG not used:\n%s", stderr)
	}
	checkMinutes(t, r.dir("env"), ".pcap.gz", recs)
}

func TestRcloneUsageErrors(t *testing.T) {
	in := gen(t, "--seed", "29", "--duration", "1s", "--packets", "5")
	conf := writeConf(t, "[s3-fmad]\ntype = s3\nsecret_access_key = hush-1c9e\n\n[mega]\ntype = mega\n")
	base := []string{"--split-time", "60e9", "--filename-epoch-sec"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--rclone", "--rclone-config", conf, "-o", "nope://x/all"}, `rclone remote "nope" is not defined in ` + conf},
		{[]string{"--rclone", "--rclone-config", conf, "-o", "mega://x/all"}, `has type "mega", which is not built in`},
		{[]string{"--rclone", "--rclone-config", conf + ".missing", "-o", "s3-fmad://x/all"}, "rclone.conf.missing: file does not exist"},
		{[]string{"--rclone", "--rclone-config", conf, "-o", "s3-fmad:"}, "has no folder"},
		{[]string{"--rclone-config", conf, "-o", t.TempDir() + "/"}, "--rclone-config needs --rclone"},
		{[]string{"--compress", "gzip:12", "-o", t.TempDir() + "/"}, "compression level \"12\" of gzip: want a number from 1 to 9"},
		{[]string{"--compress", "xz", "-o", t.TempDir() + "/"}, `unknown compression "xz"`},
	}
	for _, tt := range tests {
		code, stderr := splitWith(t, in, nil, append(base, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "Try: pcap_split --help") {
			t.Errorf("%v: exit %d; want 2 with %q and a Try line:\n%s", tt.args, code, tt.want, stderr)
		}
		if strings.Contains(stderr, "hush-1c9e") {
			t.Errorf("%v: stderr shows a secret:\n%s", tt.args, stderr)
		}
	}
}
