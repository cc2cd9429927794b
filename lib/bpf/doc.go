// Package bpf compiles tcpdump filter expressions with the system's
// libpcap and runs the compiled programs in Go.
//
// # Compiling
//
// Compile hands the expression to libpcap through cgo, exactly as tcpdump
// -r does for a file: the pcap_t is a savefile reader over an in-memory
// file header carrying the stream's link type and snapshot length (so
// libpcap maps the link type to its DLT, and refuses what it refuses on
// savefiles, such as "inbound" on Ethernet), the optimizer is on and the
// netmask is 0 ("ip broadcast" then matches 0.0.0.0 and 255.255.255.255,
// as in tcpdump -r). An expression libpcap refuses gives a *CompileError
// carrying libpcap's own message (pcap_geterr). Calls into libpcap are
// serialized by a mutex: older libpcap releases keep compiler state in
// globals. Check validates an expression before the link type is known,
// as pcap_filter does before reading its input.
//
// # Bounds
//
// libpcap's optimiser costs time and memory that grow steeply with the
// length of a filter (about as the cube of the number of terms), and a
// cgo call cannot be interrupted: a 100 KB filter ran for over ten
// minutes and reached 3 GB, deaf to SIGTERM. The commands therefore
// compile with a Compiler, which refuses expressions over MaxExprLen
// (4096 bytes) at once and otherwise runs Compile in a child process of
// the running executable (lib/child): killed at its deadline
// (DefaultTimeout, 10 s) or as soon as the caller's context ends
// (SIGTERM), with RLIMIT_DATA at DefaultMemory (512 MiB). Each limit gives
// a *CompileError asking for a shorter filter. Starting the child costs
// 25 to 45 ms per compilation. libpcap 1.10.3 on a 2-core Xeon VM
// (one run each, the machine shared; tcpdump -d takes the same):
//
//	filter                         bytes   compile   peak memory
//	host A or host B ..., 50 hosts    886    0.02 s
//	100 hosts                        1786    0.12 s
//	200 hosts                        3686    0.78 s
//	250 hosts                        4636    1.7 s
//	400 hosts                        7376    7.5 s         25 MB
//	600 hosts (the probe's 11 KB)   11000   20 s
//	port 1 or port 2 ..., 100 ports  1088    0.47 s
//	200 ports                        2288    2.4 s
//	300 ports                        3488    7.9 s         45 MB
//	port 1 or 2 or 3 ..., 200 ports  1293    2.6 s
//	(host A and port N) or ..., 300  9924    1.2 s         92 MB
//
// So 4096 bytes admit about 220 hosts in a second or two, while dense
// forms (port lists) reach the deadline below the length limit; both
// limits are needed. A CompileError names the word libpcap refused when
// its message quotes it (Position, Detail), and points to pcap-filter(7)
// (Hint); libpcap does not say where a syntax error lies.
//
// Bytecode writes a program as tcpdump -ddd does, prefixed with its link
// type, and ParseBytecode reads it back: push_realtime compiles each
// filter once per configuration load and passes the program to
// pcap_filter --compiled.
//
// # Running
//
// The program libpcap returns (its bpf_insn array) is checked and
// translated once into a compact form for a small interpreter written for
// it: dense opcodes, so that its switch compiles to a jump table; absolute
// jump targets; and fused instructions for the pairs and triples filters
// are made of (a load then a comparison, a word load, mask and comparison
// for a net). The interpreter follows libpcap's bpf_filter exactly: a
// load past the captured bytes or a division by zero returns 0, loads of
// the length give the wire length, shifts by a register of 32 or more
// give 0, backward jumps (as "ip6 protochain" uses) are allowed, and the
// return value's non-zero-ness decides. Run and Match allocate nothing and
// are safe for concurrent use.
//
// Equivalence with libpcap is tested, not assumed: every expression of
// the corpus list on every corpus capture and on generated traffic
// (whole and cut short) is run by both this interpreter and libpcap's
// pcap_offline_filter, through cgo in the tests, and a fuzz target pits
// them against each other on random packets.
//
// # Why an interpreter in Go
//
// Per packet on generated traffic (best of 3 runs, Xeon 2.5 GHz VM,
// packets adjacent in memory as in a read buffer; the compound expression
// is the benchmark suite's 75-instruction filter):
//
//	                                        net-and-tcp   compound
//	cgo call to pcap_offline_filter/packet       94 ns      123 ns
//	x/net/bpf VM                                 54 ns      126 ns
//	Go closure chain (one closure/insn)          28 ns       84 ns
//	cgo, batches of packets (offsets)            24 ns       56 ns
//	this interpreter                             22 ns       49 ns
//
// A cgo call per packet costs more than the filtering; batching packets
// per call removes that cost but ties the reader to C memory rules and
// buffers; x/net/bpf is slower and differs from libpcap (its "len" is the
// captured length); a closure per instruction does no better than a
// switch. The interpreter matches batched libpcap on short programs and
// beats it on long ones, without cgo on the hot path. BenchmarkMatch
// measures the in-repository options.
//
// # Example
//
//	if _, err := (bpf.Compiler{}).Check(ctx, expr); err != nil {
//		return err // *CompileError: bad filter "tcp port": can't parse filter expression: syntax error
//	}
//	prog, err := bpf.Compiler{}.Compile(ctx, expr, r.LinkType(), int(r.Snaplen()))
//	if err != nil {
//		return err
//	}
//	if prog.Match(rec.Data, rec.OrigLen) {
//		// keep the packet
//	}
package bpf
