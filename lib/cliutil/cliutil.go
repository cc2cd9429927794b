package cliutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/pcappush/pcappush/lib/pipes"
)

// Exit codes shared by all tools.
const (
	ExitOK      = 0
	ExitFailure = 1 // runtime failure: I/O, corrupt input, upload
	ExitUsage   = 2 // bad flags, bad config, bad filter
)

// Version is stamped by the build with -ldflags -X.
var Version = "dev"

// UsageError is a mistake in how a tool was invoked or configured.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is, or wraps, a *UsageError.
func IsUsage(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}

// Code maps an error to the exit code: nil 0, usage 2, anything else 1.
func Code(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case IsUsage(err):
		return ExitUsage
	}
	return ExitFailure
}

// Report prints err on w as `tool: message`, followed by the error's
// Detail lines when it has some (the place a filter is wrong), and for
// usage errors a `Try:` line: the error's own Hint when it has one (the
// manual of a filter's syntax), else `tool --help`. It returns the exit
// code.
func Report(w io.Writer, tool string, err error) int {
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(w, "%s: %v\n", tool, err)
	var d interface{ Detail() string }
	if errors.As(err, &d) && d.Detail() != "" {
		fmt.Fprintln(w, d.Detail())
	}
	if IsUsage(err) {
		var h interface{ Hint() string }
		if errors.As(err, &h) && h.Hint() != "" {
			fmt.Fprintf(w, "Try: %s\n", h.Hint())
		} else {
			fmt.Fprintf(w, "Try: %s --help\n", tool)
		}
	}
	return Code(err)
}

// The version flag is -V, --version in every tool, as in gzip, zstd, lz4,
// grep and curl: -v means --verbose (stream_cat's), as in tcpdump, so that
// a user who asks for more words never gets a version and an exit.
func init() {
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Aliases: []string{"V"}, Usage: "print the version", DisableDefaultText: true}
}

// RunFunc is a tool's testable entry point.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// Main runs a tool with the process's arguments and standard streams. Its
// context is cancelled by SIGTERM or SIGINT. It returns the exit code.
//
// A Go runtime crash (an unrecovered panic, a fatal error such as running
// out of memory, SIGQUIT) would exit with status 2, the status of a usage
// or configuration error, which a service manager is told not to restart
// on (systemd's RestartPreventExitStatus=2). Main sets the runtime's
// traceback level to "crash", as GOTRACEBACK=crash does: after printing
// its report, the runtime kills the process with SIGABRT instead, a
// death by signal that systemd's Restart=on-failure restarts.
//
// Standard input and output are enlarged to 1 MiB when they are pipes
// (see lib/pipes), so that a pipeline pasted into a shell moves its stream
// as fast as push_realtime's.
func Main(tool string, run RunFunc) int {
	debug.SetTraceback("crash")
	// No transparent huge pages for the tool's memory: where the kernel
	// gives them to every mapping (Debian's default, "always"), each of a
	// pipeline's small heaps grows to whole 2 MiB pages, 20 to 25 MB more
	// a target of four stages (measured). The setting is kept across
	// exec, so push_realtime's stages start with it.
	_ = unix.Prctl(unix.PR_SET_THP_DISABLE, 1, 0, 0, 0) // best effort: old kernels lack it
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	pipes.Grow(os.Stdin)
	pipes.Grow(os.Stdout)
	return Report(os.Stderr, tool, run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// NewApp returns a cli.App for a tool that writes help to stdout, errors to
// stderr, never calls os.Exit, and turns flag mistakes into *UsageError.
func NewApp(name, usage string, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:            name,
		Usage:           usage,
		Version:         Version,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		// --generate-bash-completion lists the options that start with
		// the word before it: packaging/pcappush.bash-completion asks it.
		EnableBashCompletion: true,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &UsageError{Err: err}
		},
	}
}
