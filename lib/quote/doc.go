// Package quote puts names and text from outside (folder names, file
// names, error messages) into one line of a log, a table or a message:
// characters that do not print are written as Go escapes, so that a line
// break cannot forge a line and a terminal escape cannot reach a terminal.
//
//	fmt.Fprintf(w, "capture %s: %s\n", quote.Name(name), quote.OneLine(err.Error()))
package quote
