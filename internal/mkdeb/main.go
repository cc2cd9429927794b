// Command mkdeb builds pcappush's Debian package with nfpm, used as a
// library: the six tools, their man pages and push_realtime.lua(5), bash
// completion, the systemd unit, sysusers.d and tmpfiles.d entries, the
// example configuration as a conffile, the Grafana dashboard, and the
// maintainer scripts in packaging/deb. `make deb` runs it after building
// the tools and man pages:
//
//	go run ./internal/mkdeb -version 1.2.0 -bin bin -man bin/man -o bin/pcappush_1.2.0_amd64.deb
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"

	"github.com/pcappush/pcappush/lib/install"
)

// Paths in the package. The unit goes where Debian 12's systemd packages
// put theirs.
const (
	docDir        = "/usr/share/doc/pcappush"
	unitPath      = "/lib/systemd/system/push_realtime.service"
	completionDir = "/usr/share/bash-completion/completions"
	maintainer    = "pcappush maintainers <maintainers@pcappush.invalid>"
)

type options struct {
	version, bin, man, out, src string
	mtime                       time.Time
}

func main() {
	var o options
	flag.StringVar(&o.version, "version", "", "the package `VERSION` (Debian syntax)")
	flag.StringVar(&o.bin, "bin", "bin", "`DIR` holding the built tools")
	flag.StringVar(&o.man, "man", "bin/man", "`DIR` holding man1/ and man5/")
	flag.StringVar(&o.out, "o", "", "write the package to `FILE`")
	flag.StringVar(&o.src, "src", ".", "the repository's root `DIR` (packaging/ is read from it)")
	flag.Parse()
	o.mtime = time.Now()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			o.mtime = time.Unix(n, 0)
		}
	}
	if err := build(o); err != nil {
		fmt.Fprintf(os.Stderr, "mkdeb: %v\n", err)
		os.Exit(1)
	}
}

func build(o options) error {
	if o.version == "" || o.out == "" {
		return errors.New("-version and -o are required")
	}
	tmp, err := os.MkdirTemp("", "mkdeb")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) //nolint:errcheck // a temporary folder
	contents, err := contents(o, tmp)
	if err != nil {
		return err
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name: "pcappush", Arch: "amd64", Platform: "linux",
		Version: o.version, VersionSchema: "none",
		Section: "net", Priority: "optional", Maintainer: maintainer,
		Description: description, MTime: o.mtime,
		Overridables: nfpm.Overridables{
			Depends:  []string{"libc6", "libpcap0.8"},
			Contents: contents,
			Scripts: nfpm.Scripts{
				PostInstall: filepath.Join(o.src, "packaging/deb/postinst"),
				PreRemove:   filepath.Join(o.src, "packaging/deb/prerm"),
				PostRemove:  filepath.Join(o.src, "packaging/deb/postrm"),
			},
			Deb: nfpm.Deb{Compression: "xz"},
		},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return err
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pkg.Package(info, &buf); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	return writeFile(o.out, buf.Bytes())
}

const description = `push packet captures to files and remote storage, without loss
 pcappush pushes packet captures from a capture store (the rotating files
 of tcpdump, dumpcap, n2disk or any recorder) to folders, NFS, S3, SFTP,
 Azure Blob and other rclone remotes, continuously: one pipeline per
 target of stream_cat, pcap_decap, pcap_filter and pcap_split, run and
 resumed after crashes by push_realtime. Every packet is pushed once, and a
 file under its final name is always complete.`

// contents lists the package's files. Files that need making (compressed
// man pages, the unit with its paths filled in, the changelog) are made
// in tmp.
func contents(o options, tmp string) (files.Contents, error) {
	var c files.Contents
	add := func(src, dst string, mode os.FileMode, typ string) {
		c = append(c, &files.Content{Source: src, Destination: dst, Type: typ, FileInfo: &files.ContentFileInfo{Mode: mode}})
	}
	for _, tool := range install.Tools {
		add(filepath.Join(o.bin, tool), "/usr/bin/"+tool, 0o755, "")
		gz, err := gzipTo(tmp, filepath.Join(o.man, "man1", tool+".1"), o.mtime)
		if err != nil {
			return nil, err
		}
		add(gz, "/usr/share/man/man1/"+tool+".1.gz", 0o644, "")
		if tool == install.Tools[0] {
			add(filepath.Join(o.src, "packaging/pcappush.bash-completion"), completionDir+"/"+tool, 0o644, "")
		} else {
			c = append(c, &files.Content{Source: install.Tools[0], Destination: completionDir + "/" + tool, Type: files.TypeSymlink})
		}
	}
	gz, err := gzipTo(tmp, filepath.Join(o.man, "man5", "push_realtime.lua.5"), o.mtime)
	if err != nil {
		return nil, err
	}
	add(gz, "/usr/share/man/man5/push_realtime.lua.5.gz", 0o644, "")
	unit, err := renderUnit(o.src, tmp)
	if err != nil {
		return nil, err
	}
	add(unit, unitPath, 0o644, "")
	add(filepath.Join(o.src, "packaging/pcappush.sysusers"), "/usr/lib/sysusers.d/pcappush.conf", 0o644, "")
	add(filepath.Join(o.src, "packaging/pcappush.tmpfiles"), "/usr/lib/tmpfiles.d/pcappush.conf", 0o644, "")
	add(filepath.Join(o.src, "packaging/push_realtime.lua.example"), "/etc/pcappush/push_realtime.lua", 0o644, files.TypeConfigNoReplace)
	add(filepath.Join(o.src, "packaging/grafana-dashboard.json"), "/usr/share/pcappush/grafana-dashboard.json", 0o644, "")
	add(filepath.Join(o.src, "packaging/deb/copyright"), docDir+"/copyright", 0o644, "")
	log, err := changelog(o, tmp)
	if err != nil {
		return nil, err
	}
	add(log, docDir+"/changelog.gz", 0o644, "")
	return c, nil
}

// renderUnit fills in the unit template's paths for /usr/bin and /etc.
func renderUnit(src, tmp string) (string, error) {
	b, err := os.ReadFile(filepath.Join(src, "packaging/push_realtime.service.in"))
	if err != nil {
		return "", err
	}
	s := strings.NewReplacer("@BINDIR@", "/usr/bin", "@SYSCONFDIR@", "/etc").Replace(string(b))
	out := filepath.Join(tmp, "push_realtime.service")
	return out, writeFile(out, []byte(s))
}

// changelog writes the native package's changelog: one entry, this build.
func changelog(o options, tmp string) (string, error) {
	text := fmt.Sprintf("pcappush (%s) unstable; urgency=medium\n\n  * Built from the source repository with make deb.\n\n -- %s  %s\n",
		o.version, maintainer, o.mtime.UTC().Format(time.RFC1123Z))
	raw := filepath.Join(tmp, "changelog")
	if err := writeFile(raw, []byte(text)); err != nil {
		return "", err
	}
	return gzipTo(tmp, raw, o.mtime)
}

// gzipTo compresses src into tmp at maximum compression, with no name and
// the given time in the header (as gzip -9n does for reproducible builds).
func gzipTo(tmp, src string, mtime time.Time) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	zw.ModTime = mtime
	if _, err := io.Copy(zw, in); err != nil {
		return "", fmt.Errorf("compress %s: %w", src, err)
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	out := filepath.Join(tmp, filepath.Base(src)+".gz")
	return out, writeFile(out, buf.Bytes())
}

func writeFile(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
