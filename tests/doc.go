// Package tests holds pcappush's end-to-end tests: they build the tools,
// run them as a user would (pipes, files, signals), and check the results
// with independent tools such as tcpdump, capinfos, mergecap and gzip.
package tests
