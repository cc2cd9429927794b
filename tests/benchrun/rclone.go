package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pcappush/pcappush/internal/loopback"
)

func init() { suites["rclone"] = benchRclone }

// rcloneVersion is the rclone CLI the reference's way is timed with.
const rcloneVersion = "v1.76.0"

// benchRclone: pushing the capture in one-minute gzip splits to a loopback
// SFTP server, the reference system's way (a gzip and an rclone process
// per split) against pcap_split's in-process compression and upload.
func benchRclone(e *env) error {
	in, size, err := e.bigCapture()
	if err != nil {
		return err
	}
	rclone, err := rcloneCLI()
	if err != nil {
		return err
	}
	store := filepath.Join(e.work, "store")
	srv, conf, err := sftpServer(e.work, store)
	if err != nil {
		return err
	}
	defer srv.Stop()
	clean := func(dir string) string {
		return fmt.Sprintf("rm -rf %s/%s local && mkdir -p %s/%s local", store, dir, store, dir)
	}
	remote := "ssh:" + store
	// The reference runs, per split, "gzip -c -1 | rclone rcat NAME.pending"
	// as pcap_split's pipe command, then renames the upload; pcap_split's
	// --pipe-cmd does not pass the name, so each split gets a unique one.
	perSplit := fmt.Sprintf(`n=split_$(date +%%s%%N).pcap.gz; gzip -c -1 | %s --config %s rcat %s/a/$n.pending && %s --config %s moveto %s/a/$n.pending %s/a/$n`,
		rclone, conf, remote, rclone, conf, remote, remote)
	ref := job{name: "pipe-cmd gzip -1 | rclone rcat, per split", bytes: size, setup: clean("a"), target: 2.5,
		shell: fmt.Sprintf("$BIN/pcap_split -o local/ --split-time 60e9 --filename-tstr-HHMMSS --pipe-cmd '%s' < %s", perSplit, in)}
	// the reference's path form: ssh://work/... is /work/... on the server
	ours := func(spec, dir string) job {
		return job{name: "pcap_split --compress " + spec + " --rclone", bytes: size, setup: clean(dir),
			shell: fmt.Sprintf("$BIN/pcap_split --rclone --rclone-config %s -o ssh:/%s/%s/all --split-time 60e9 --filename-tstr-HHMMSS --compress %s < %s", conf, store, dir, spec, in)}
	}
	err = e.compare(comparison{
		title: "one-minute gzip splits to a loopback SFTP server",
		ours:  ours("gzip:1", "b"),
		peers: []job{ref, ours("zstd:1", "c")},
		note:  "The reference's way writes an empty local file per split (its pipe command prints nothing); all three share the 2 cores with sshd.",
	})
	if err != nil {
		return err
	}
	var parts []string
	for _, d := range []string{"a", "b", "c"} {
		n := dirSize(filepath.Join(store, d))
		parts = append(parts, fmt.Sprintf("%s %.1f%% of the input", d, 100*float64(n)/float64(size)))
	}
	fmt.Fprintf(e.out, "  uploaded (a: reference, b: gzip:1, c: zstd:1): %s\n", strings.Join(parts, ", "))
	return nil
}

// sftpServer starts the loopback SFTP server and writes an rclone config
// for it (remote "ssh"); the uploads land in store.
func sftpServer(work, store string) (*loopback.SFTP, string, error) {
	srvDir := filepath.Join(work, "sftp-server")
	for _, d := range []string{srvDir, store} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, "", err
		}
	}
	srv, err := loopback.StartSFTP(srvDir)
	if err != nil {
		return nil, "", fmt.Errorf("sftp server: %w", err)
	}
	conf := filepath.Join(work, "rclone.conf")
	if err := os.WriteFile(conf, []byte(srv.RcloneConfig("ssh")), 0o600); err != nil {
		srv.Stop()
		return nil, "", err
	}
	return srv, conf, nil
}

// rcloneCLI returns the rclone command-line tool in .tools/bin, building
// it with go install when missing (it is used for the comparison only).
func rcloneCLI() (string, error) {
	dir, err := filepath.Abs(filepath.Join(".tools", "bin"))
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "rclone")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(os.Stderr, "benchrun: installing the rclone CLI %s into %s (for the comparison)\n", rcloneVersion, dir)
	cmd := exec.Command("go", "install", "github.com/rclone/rclone@"+rcloneVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("install rclone: %w", err)
	}
	return bin, nil
}
