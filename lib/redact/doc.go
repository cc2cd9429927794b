// Package redact keeps secrets out of a tool's messages: a Writer that
// passes every line of stderr through a redaction, and Error, which does
// the same to an error's message while errors.Is and errors.As still see
// the error underneath.
//
//	stderr = redact.Writer{W: stderr, Redact: remote.Redact}
//	return redact.Error(err, remote.Redact)
package redact
