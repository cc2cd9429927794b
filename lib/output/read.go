package output

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rclone/rclone/fs"
)

// IsRemote reports whether prefix names a folder of an rclone remote
// (NAME://PATH, NAME:PATH, a connection string) rather than a local path.
func IsRemote(prefix string) bool {
	r, err := ParseRemote(prefix)
	return err == nil && r.Name != ""
}

// WithDir returns the Remote of folder dir (written as Dir is) on the same
// remote, with the same leaf; its Prefix has the form r's was given in
// (NAME://PATH, NAME:PATH, or a local path).
func (r Remote) WithDir(dir string) Remote {
	out := r
	out.Dir = dir
	folder := dir
	if folder != "" && !strings.HasSuffix(folder, "/") {
		folder += "/"
	}
	switch {
	case r.Name == "":
		out.Prefix = folder + r.Leaf
	case strings.HasPrefix(r.Prefix, r.Name+"://"):
		out.Prefix = r.Name + "://" + strings.TrimPrefix(folder, "/") + r.Leaf
	default:
		out.Prefix = r.Config + ":" + folder + r.Leaf
	}
	return out
}

// OpenFs connects to r's folder for reading what was published there:
// rclone's config is loaded (opts.RcloneConfig), the remote checked and
// rclone's options set as Open does for writing. A remote that is not
// configured is a *ConfigError; the folder need not exist.
func OpenFs(ctx context.Context, r Remote, opts Options) (fs.Fs, error) {
	setLogger(opts)
	if err := loadConfig(opts.RcloneConfig); err != nil {
		return nil, err
	}
	if err := checkRemote(r); err != nil {
		return nil, err
	}
	setupRclone(opts)
	f, err := fs.NewFs(ctx, r.FsString())
	if errors.Is(err, fs.ErrorIsFile) {
		return nil, configErrorf("%s is a file, not a folder", r.Display())
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.Display(), err)
	}
	return f, nil
}
