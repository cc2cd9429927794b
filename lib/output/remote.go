package output

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/rclone/rclone/fs/fspath"
)

// Remote is an output prefix on an rclone remote, taken apart.
//
// Both the reference system's form, NAME://PATH, and rclone's own
// NAME:PATH are accepted; NAME://PATH means the absolute path /PATH, that
// is rclone's NAME:/PATH (on S3 the bucket, then the key; on SFTP and FTP
// the path from the server's root; on Google Drive the folder from the
// drive's root). rclone's connection strings (":sftp,host=h:PATH",
// "NAME,option=value:PATH") pass through as rclone reads them; a prefix
// without a remote name is a local path.
type Remote struct {
	Prefix string // the prefix as given; split names start with it
	Name   string // remote name in the config ("s3-fmad"), ":BACKEND" for a connection string, "" for a local path
	Config string // rclone's config string: "s3-fmad" or ":sftp,host=h"
	Dir    string // the folder, as rclone reads it: "/pcap", "", "dir/sub"
	Leaf   string // the start of every name in Dir: "all", or "" when Prefix ends in "/"
}

// remoteName matches a config name (or ":backend") before "://": letters,
// digits and "_.+@ -", without the parameters of a connection string.
var remoteName = regexp.MustCompile(`^:?[\p{L}\p{N}_.+@ -]+$`)

// ParseRemote takes an rclone output prefix apart. The path after the
// remote name must not be empty: give a folder ("remote:dir/", "remote:/")
// or a name start ("remote:dir/all").
func ParseRemote(prefix string) (Remote, error) {
	p := prefix
	if name, rest, ok := strings.Cut(prefix, "://"); ok && remoteName.MatchString(name) {
		p = name + ":/" + rest
	}
	parsed, err := fspath.Parse(p)
	if err != nil {
		return Remote{}, fmt.Errorf("rclone path %q: %w", prefix, err)
	}
	r := Remote{Prefix: prefix, Name: parsed.Name, Config: strings.TrimSuffix(parsed.ConfigString, ":")}
	fp := parsed.Path
	if strings.HasPrefix(fp, "//") {
		fp = "/" + strings.TrimLeft(fp, "/")
	}
	switch {
	case fp == "":
		return Remote{}, fmt.Errorf("rclone path %q has no folder: give REMOTE:DIR/ or REMOTE:DIR/NAME (REMOTE:/ for the root)", prefix)
	case strings.HasSuffix(fp, "/"):
		r.Dir = strings.TrimSuffix(fp, "/")
		if r.Dir == "" {
			r.Dir = "/"
		}
	default:
		r.Dir, r.Leaf = path.Split(fp)
		r.Dir = strings.TrimSuffix(r.Dir, "/")
		if r.Dir == "" && strings.HasPrefix(fp, "/") {
			r.Dir = "/"
		}
	}
	return r, nil
}

// FsString is the string rclone's fs.NewFs takes for the folder. It ends
// in "/" (but for the remote's own root) so that object stores take it
// for a folder without first asking whether it is a file.
func (r Remote) FsString() string {
	dir := r.Dir
	if dir != "" && !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	if r.Name == "" {
		if dir == "" {
			return "."
		}
		return dir
	}
	return r.Config + ":" + dir
}

// Display returns the folder as the prefix names it, for messages.
func (r Remote) Display() string {
	return strings.TrimSuffix(r.Prefix, r.Leaf)
}

// object returns the name in Dir of the split called name (a name built
// from the prefix).
func (r Remote) object(name string) (string, error) {
	rest, ok := strings.CutPrefix(name, r.Prefix)
	if !ok || strings.Contains(rest, "/") {
		return "", fmt.Errorf("split name %q is not in %s", name, r.Display())
	}
	return r.Leaf + rest, nil
}
