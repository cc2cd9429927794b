package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rclone/rclone/fs"
	"github.com/rclone/rclone/fs/config"
	"github.com/rclone/rclone/fs/config/configfile"

	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/output/internal/quietinit"
)

// rclone's packages are initialised by now (this package imports them).
func init() { quietinit.Restore() }

// Backends are the rclone backends pcap_split is built with (the types a
// remote may have).
var Backends = []string{
	"alias", "azureblob", "azurefiles", "b2", "crypt", "drive", "dropbox", "ftp",
	"google cloud storage", "hdfs", "local", "onedrive", "s3", "sftp", "smb", "swift", "webdav",
}

// RcloneConfigPath returns the rclone config file to use: flag when set,
// else $RCLONE_CONFIG (as rclone reads it), else install.RcloneConfig.
func RcloneConfigPath(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("RCLONE_CONFIG"); env != "" {
		return env
	}
	return install.RcloneConfig
}

// rcl is rclone's process-wide state: its config file and global options
// are package variables of the library.
var rcl struct {
	mu     sync.Mutex
	path   string // config file loaded
	loaded bool
	setup  bool // global options and logger done
}

// readOnly is the config file storage, minus saving: backends that record
// what they learn (the sftp shell type, hash commands, refreshed tokens)
// keep it in memory, and the user's file is never rewritten.
type readOnly struct{ *configfile.Storage }

// Save does nothing.
func (readOnly) Save() error { return nil }

// loadConfig makes rclone read the config file named by flag (see
// RcloneConfigPath). The default file may be missing (remotes may come
// from RCLONE_CONFIG_* variables); a file named explicitly may not.
func loadConfig(flag string) error {
	path := RcloneConfigPath(flag)
	rcl.mu.Lock()
	defer rcl.mu.Unlock()
	if rcl.loaded && rcl.path == path {
		return nil
	}
	fs.GetConfig(context.Background()).AskPassword = false
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && path == install.RcloneConfig {
		if err := config.SetConfigPath(""); err != nil { // memory only
			return &ConfigError{Err: err}
		}
		rcl.path, rcl.loaded = path, true
		return nil
	}
	if err := config.SetConfigPath(path); err != nil {
		return configErrorf("rclone config %s: %w", path, err)
	}
	config.SetData(readOnly{&configfile.Storage{}})
	if err := config.Data().Load(); err != nil {
		if errors.Is(err, config.ErrorConfigFileNotFound) {
			err = os.ErrNotExist
		}
		return configErrorf("rclone config %s: %w", path, err)
	}
	rcl.path, rcl.loaded = path, true
	return nil
}

// checkRemote reports a remote that is neither in the config file nor in
// the environment, or whose backend is not built in.
func checkRemote(r Remote) error {
	typ := ""
	switch {
	case r.Name == "":
		typ = "local"
	case strings.HasPrefix(r.Name, ":"):
		typ = r.Name[1:]
	default:
		typ = config.GetValue(r.Name, "type")
		if typ == "" {
			return configErrorf("rclone remote %q is not defined in %s nor by %s", r.Name, rcl.path, fs.ConfigToEnv(r.Name, "type"))
		}
	}
	if _, err := fs.Find(typ); err != nil && !slices.Contains(Backends, typ) {
		return configErrorf("rclone remote %q has type %q, which is not built in (built in: %s)", r.Name, typ, strings.Join(Backends, ", "))
	}
	return nil
}

// setupRclone sets rclone's global options once: no password prompts,
// bounded timeouts and retries, no end-to-end checksum of streamed uploads
// (each backend still checks its transfers), no read-ahead buffer on
// uploads, sftp without remote shell commands, and log lines through log.
func setupRclone(opts Options) {
	rcl.mu.Lock()
	defer rcl.mu.Unlock()
	if rcl.setup {
		return
	}
	rcl.setup = true
	ci := fs.GetConfig(context.Background())
	ci.AskPassword = false
	ci.Timeout = fs.Duration(pick(opts.Timeout, "RCLONE_TIMEOUT", time.Duration(ci.Timeout), DefaultTimeout))
	ci.ConnectTimeout = fs.Duration(pick(opts.ConnectTimeout, "RCLONE_CONTIMEOUT", time.Duration(ci.ConnectTimeout), DefaultConnectTimeout))
	if _, ok := os.LookupEnv("RCLONE_LOW_LEVEL_RETRIES"); !ok {
		ci.LowLevelRetries = DefaultLowLevelRetries
	}
	if _, ok := os.LookupEnv("RCLONE_IGNORE_CHECKSUM"); !ok {
		ci.IgnoreChecksum = true
	}
	if _, ok := os.LookupEnv("RCLONE_BUFFER_SIZE"); !ok {
		// rclone reads an upload ahead into up to BufferSize of 1 MiB
		// buffers (16 MiB by default); a split reaches the upload through
		// a pipe from the process's own writer, which has nothing to gain
		// from reading ahead, so no read-ahead: 16 MB less per upload.
		ci.BufferSize = 0
	}
	if ri, err := fs.Find("sftp"); err == nil {
		// The default "unix" probes the server with shell commands (which
		// an sftp-only account refuses) and writes what it finds into the
		// config; a shell_type in the config or the environment wins.
		ri.Options.SetDefault("shell_type", "none")
	}
}

// setLogger sends rclone's log lines to opts.Log (nil: nowhere).
func setLogger(opts Options) {
	fs.SetLogger(&logHandler{w: opts.Log, prefix: opts.LogPrefix + "rclone: "})
}

// pick returns the option when set, else the environment's value (already
// parsed by rclone into current) when the variable is set, else def.
func pick(opt time.Duration, env string, current, def time.Duration) time.Duration {
	if opt > 0 {
		return opt
	}
	if _, ok := os.LookupEnv(env); ok {
		return current
	}
	return def
}

// logHandler writes rclone's log records as "PREFIX LEVEL: OBJECT: message".
// rclone filters by its log level (NOTICE, or $RCLONE_LOG_LEVEL) before
// calling it.
type logHandler struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return h.w != nil }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	if h.w == nil {
		return nil
	}
	obj := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "object" {
			obj = a.Value.String() + ": "
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintf(h.w, "%s%s: %s%s\n", h.prefix, levelName(r.Level), obj, strings.TrimSpace(r.Message))
	return err
}

func (h *logHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logHandler) WithGroup(string) slog.Handler      { return h }

func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= fs.SlogLevelNotice:
		return "NOTICE"
	case l >= slog.LevelInfo:
		return "INFO"
	}
	return "DEBUG"
}
