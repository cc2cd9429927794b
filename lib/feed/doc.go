// Package feed reads a tool's input on its own goroutine so that the
// consumer, blocked waiting for more bytes, can still react to a stop
// request (SIGTERM) or to a quiet input (idle timers) on its own goroutine,
// without locks and without losing a byte already read.
//
// A Reader hands out the input in chunks through a small ring of buffers,
// so memory stays bounded whatever the input's size. When Stop is closed,
// the bytes already read are still delivered; after them Read returns
// ErrStopped. While no bytes arrive, OnIdle is called every Idle interval
// with the time since the last byte, on the consumer's goroutine.
//
//	f := feed.New(os.Stdin, feed.Options{Stop: ctx.Done(), Idle: time.Second, OnIdle: s.Idle})
//	r, err := pcapio.NewReader(f, "stdin")
package feed
