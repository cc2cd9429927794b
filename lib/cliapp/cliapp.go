package cliapp

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/pcappush/pcappush/lib/event"
	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/manual"
	"github.com/pcappush/pcappush/lib/pipes"
)

// Version is stamped by the build with -ldflags -X.
var Version = "dev"

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
	return exitcode.Report(os.Stderr, tool, run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr))
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
			return &exitcode.UsageError{Err: err}
		},
	}
}

// Run runs app with args. Besides app's own flags it knows a hidden --man,
// which writes the tool's man page (see manual.WriteMan) to app.Writer instead of
// running the action, and a hidden --markdown, which writes the generated
// part of its page in docs/tools (see manual.WriteMarkdown). Boolean flags do not
// show "(default: false)".
func Run(ctx context.Context, app *cli.App, args []string) error {
	for _, f := range app.Flags {
		if b, ok := f.(*cli.BoolFlag); ok {
			b.DisableDefaultText = true
		}
	}
	app.Flags = append(app.Flags,
		&cli.BoolFlag{Name: "man", Hidden: true, Usage: "write the man page to stdout"},
		&cli.BoolFlag{Name: "markdown", Hidden: true, Usage: "write the page's generated part to stdout"})
	action := app.Action
	app.Action = func(c *cli.Context) error {
		switch {
		case c.Bool("man"):
			return manual.WriteMan(app.Writer, app, manual.ManDate())
		case c.Bool("markdown"):
			return manual.WriteMarkdown(app.Writer, app)
		}
		if action == nil {
			return nil
		}
		return action(c)
	}
	return app.RunContext(ctx, args)
}

// EventsFlag is the --events flag of the stages of a push pipeline.
func EventsFlag(what string) cli.Flag {
	return &cli.IntFlag{Name: "events", DefaultText: "none", Usage: "write events (JSON lines: " + what + ") to the open descriptor `FD`, as push_realtime asks with --events 3; see docs/formats.md"}
}

// OpenEvents returns the Writer of the events --events asks for, nil
// (which writes nothing) without the flag; a descriptor that is not open
// is a usage error.
func OpenEvents(c *cli.Context, tool string) (*event.Writer, error) {
	if !c.IsSet("events") {
		return nil, nil
	}
	w, err := event.Open(c.Int("events"), tool)
	if err != nil {
		return nil, &exitcode.UsageError{Err: err}
	}
	return w, nil
}
