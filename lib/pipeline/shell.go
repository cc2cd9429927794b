package pipeline

import (
	"os"
	"regexp"
	"strings"
)

// Stage is one process of a pipeline.
type Stage struct {
	Name string   // tool name, e.g. "pcap_split"
	Path string   // executable
	Args []string // arguments, without the program name
	Env  []string // NAME=value added to the inherited environment
	// ExtraFiles are open files the stage inherits as descriptors 3, 4,
	// ... (exec.Cmd's ExtraFiles); Shell does not show them.
	ExtraFiles []*os.File
}

// Pipeline is a chain of stages, each reading the previous one's stdout.
type Pipeline struct {
	Stages []Stage
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// Quote returns s as one shell word.
func Quote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Command returns the stage as shell text, its environment first.
func (s Stage) Command() string {
	var words []string
	for _, e := range s.Env {
		name, value, _ := strings.Cut(e, "=")
		words = append(words, name+"="+Quote(value))
	}
	words = append(words, Quote(s.Path))
	for _, a := range s.Args {
		words = append(words, Quote(a))
	}
	return strings.Join(words, " ")
}

// Shell returns the pipeline as shell text.
func (p Pipeline) Shell() string {
	cmds := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		cmds[i] = s.Command()
	}
	return strings.Join(cmds, " | ")
}

// Names returns the stages' names in order.
func (p Pipeline) Names() []string {
	out := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		out[i] = s.Name
	}
	return out
}
