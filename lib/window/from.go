package window

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/rclone/rclone/fs"
	"golang.org/x/sync/errgroup"

	"github.com/pcappush/pcappush/lib/output"
)

// List finds every series the destinations name and lists their splits,
// in the order of Options.From, each destination's folders in name order;
// a series named twice is listed once. Option and rclone config mistakes
// wrap ErrUsage or are *output.ConfigError; a listing that fails names its
// folder.
func List(ctx context.Context, opts Options) ([]*Series, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	var all []*Series
	seen := map[string]bool{}
	for _, from := range opts.From {
		series, err := resolve(ctx, from, opts)
		if err != nil {
			return nil, err
		}
		if len(series) == 0 {
			opts.warnf("%s: no folder matches", from)
		}
		for _, s := range series {
			if !seen[s.key()] {
				seen[s.key()] = true
				all = append(all, s)
			}
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(fs.GetConfig(ctx).Checkers, 1))
	for _, s := range all {
		g.Go(func() error { return s.list(gctx) })
	}
	return all, g.Wait()
}

// resolve returns the series of one destination: its folders, "*"
// components matched against what the remote holds.
func resolve(ctx context.Context, from string, opts Options) ([]*Series, error) {
	r, err := output.ParseRemote(from)
	if err != nil {
		return nil, fmt.Errorf("--from %q: %w: %w", from, err, ErrUsage)
	}
	if strings.Contains(r.Leaf, "*") {
		return nil, fmt.Errorf("--from %q: '*' matches folders only: end the prefix with the start of the names (all) or with /: %w", from, ErrUsage)
	}
	parts := strings.Split(r.Dir, "/")
	i := slices.IndexFunc(parts, func(p string) bool { return strings.Contains(p, "*") })
	if i < 0 {
		i = len(parts)
	}
	base := strings.Join(parts[:i], "/")
	if base == "" && strings.HasPrefix(r.Dir, "/") {
		base = "/"
	}
	f, err := output.OpenFs(ctx, r.WithDir(base), opts.outputOptions())
	if err != nil {
		return nil, err
	}
	dirs, err := match(ctx, f, r.WithDir(base), "", parts[i:])
	if err != nil {
		return nil, err
	}
	out := make([]*Series, len(dirs))
	for k, d := range dirs {
		out[k] = &Series{Remote: r.WithDir(joinDir(base, d)), f: f, dir: d}
	}
	return out, nil
}

// match returns the folders under dir (relative to f's root, which base
// names) that the pattern components match, in name order.
func match(ctx context.Context, f fs.Fs, base output.Remote, dir string, pattern []string) ([]string, error) {
	if len(pattern) == 0 {
		return []string{dir}, nil
	}
	p := pattern[0]
	if !strings.Contains(p, "*") {
		return match(ctx, f, base, path.Join(dir, p), pattern[1:])
	}
	entries, err := f.List(ctx, dir)
	if errors.Is(err, fs.ErrorDirNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", base.WithDir(joinDir(base.Dir, dir)).Display(), err)
	}
	var out []string
	for _, e := range entries {
		if _, ok := e.(fs.Directory); !ok || !starMatch(p, path.Base(e.Remote())) {
			continue
		}
		sub, err := match(ctx, f, base, e.Remote(), pattern[1:])
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	slices.Sort(out)
	return out, nil
}

// joinDir joins a folder relative to base to base, as Remote.Dir writes
// folders.
func joinDir(base, rel string) string {
	switch {
	case rel == "":
		return base
	case base == "":
		return rel
	}
	return strings.TrimSuffix(base, "/") + "/" + rel
}

// starMatch reports whether name matches pattern, where "*" stands for
// any run of characters (none included) and every other character for
// itself.
func starMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(parts) > 1 && strings.HasSuffix(name, last) || len(parts) == 1 && name == ""
}
