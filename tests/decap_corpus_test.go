package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

// tsharkArgs decode each frame alone (no reassembly, which would move the
// tunnel's decode to the last fragment) and VXLAN on 8472 as pcap_decap does.
var tsharkArgs = []string{"-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
	"-o", "tcp.desegment_tcp_streams:FALSE", "-d", "udp.port==8472,vxlan", "-T", "fields", "-e", "frame.protocols"}

// protocols returns tshark's frame.protocols of every frame of a file.
func protocols(t *testing.T, path string) []string {
	t.Helper()
	tshark := testutil.Need(t, "tshark")
	res := testutil.MustRun(t, nil, tshark, append([]string{"-n", "-r", path}, tsharkArgs...)...)
	out := strings.Split(strings.TrimRight(string(res.Stdout), "\n"), "\n")
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

// The model of what decapsulation leaves, written from tshark's view: each
// rule removes, at the front of the protocols after the outermost "eth:",
// one header that pcap_decap removes.
var stripRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^ethertype:(?:vlan|ieee8021ad|vntag|avsp|etag|ieee8021ah|cmd):(.+)$`), "$1"},
	{regexp.MustCompile(`^cfp:eth:(.+)$`), "$1"},
	{regexp.MustCompile(`^ethertype:(?:mpls:)+((?:ip|ipv6)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:(?:mpls:)+(?:pwethheuristic:)?(?:pwethcw:|pwethnocw:)?eth:(.+)$`), "$1"},
	{regexp.MustCompile(`^ethertype:pppoes:ppp:((?:ip|ipv6|mpls)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:(?:ip|ipv6)(?::ipv6\.\w+)*:((?:ip|ipv6)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:(?:ip|ipv6)(?::ipv6\.\w+)*:gre:(?:ppp:|cmd:)?((?:ip|ipv6|mpls)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:(?:ip|ipv6)(?::ipv6\.\w+)*:gre:(?:erspan:)?eth:(.+)$`), "$1"},
	{regexp.MustCompile(`^ethertype:(?:ip|ipv6)(?::ipv6\.\w+)*:udp:(?:vxlan|geneve):eth:(.+)$`), "$1"},
	{regexp.MustCompile(`^ethertype:(?:ip|ipv6)(?::ipv6\.\w+)*:udp:(?:geneve|gtp|teredo):((?:ip|ipv6)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:(?:ip|ipv6)(?::ipv6\.\w+)*:udp:((?:mpls|nsh)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:nsh:((?:ip|ipv6)(?::.*)?)$`), "ethertype:$1"},
	{regexp.MustCompile(`^ethertype:nsh:eth:(.+)$`), "$1"},
}

// innerProtocols applies the model to one frame's protocols.
func innerProtocols(in string) string {
	rest, ok := strings.CutPrefix(in, "eth:")
	if !ok {
		for _, p := range []string{"raw:", "sll:", "null:"} {
			if r, ok := strings.CutPrefix(in, p); ok {
				if p != "sll:" {
					r = "ethertype:" + r
				}
				return innerProtocols("eth:" + r)
			}
		}
		return in
	}
	for changed := true; changed; {
		changed = false
		for _, r := range stripRules {
			if r.re.MatchString(rest) {
				rest, changed = r.re.ReplaceAllString(rest, r.repl), true
			}
		}
	}
	return "eth:" + rest
}

// corpusFiles lists the captures of the repository's and the shared corpus.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	files := testutil.CorpusFiles(t)
	shared := filepath.Join(testutil.Root(t), "..", "shared", "corpus", "pcaps")
	if m, _ := filepath.Glob(filepath.Join(shared, "*")); len(m) > 0 {
		seen := map[string]bool{}
		for _, f := range files {
			seen[filepath.Base(f)] = true
		}
		for _, f := range m {
			if !seen[filepath.Base(f)] {
				files = append(files, f)
			}
		}
	} else {
		t.Logf("shared corpus absent (%s): repository corpus only", shared)
	}
	return files
}

// decapKnown lists frames where tshark's view and the model differ for a
// reason outside pcap_decap, by file and 1-based frame number.
var decapKnown = map[string]string{
	"arista_ether.pcap#2":  "tshark 4.0 does not decode Arista R3 timestamps (hardware info 1); tcpdump 4.99 does",
	"arista_ether.pcap#7":  "same",
	"arista_ether.pcap#10": "same",
	"arista_ether.pcap#14": "same",
}

// transport cuts a protocol list after its first transport layer: what
// tshark makes of the payload depends on stream heuristics (TLS, data).
func transport(p string) string {
	parts := strings.Split(p, ":")
	for i, x := range parts {
		switch x {
		case "tcp", "udp", "sctp", "icmp", "icmpv6", "arp", "llc":
			return strings.Join(parts[:i+1], ":")
		}
	}
	return p
}

// decapped is one corpus file and what pcap_decap made of it.
type decapped struct {
	name    string
	in, out string // paths
	frames  int
}

// decapCorpus runs pcap_decap on every corpus file it accepts.
func decapCorpus(t *testing.T) []decapped {
	t.Helper()
	tool := testutil.Tool(t, "pcap_decap")
	dir := t.TempDir()
	var out []decapped
	for _, f := range corpusFiles(t) {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res := testutil.Run(t, in, tool)
		if res.Code != 0 {
			continue // refused input: the pcapio tests cover it
		}
		p := filepath.Join(dir, filepath.Base(f)+".out.pcap")
		if err := os.WriteFile(p, res.Stdout, 0o644); err != nil {
			t.Fatal(err)
		}
		recs := parseRecs(t, p, res.Stdout)
		if len(recs) == 0 {
			continue
		}
		out = append(out, decapped{filepath.Base(f), f, p, len(recs)})
	}
	return out
}

// mergedProtocols concatenates files with mergecap (pcapng keeps each
// file's link type) and returns tshark's protocols of every frame: one
// tshark run instead of one per file.
func mergedProtocols(t *testing.T, paths []string) []string {
	t.Helper()
	mergecap := testutil.Need(t, "mergecap")
	m := filepath.Join(t.TempDir(), "merged.pcapng")
	testutil.MustRun(t, nil, mergecap, append([]string{"-a", "-F", "pcapng", "-w", m}, paths...)...)
	return protocols(t, m)
}

func TestDecapCorpusInnerLayerIsFirst(t *testing.T) {
	files := decapCorpus(t)
	var ins, outs []string
	for _, f := range files {
		ins, outs = append(ins, f.in), append(outs, f.out)
	}
	before, after := mergedProtocols(t, ins), mergedProtocols(t, outs)
	if len(before) != len(after) {
		t.Fatalf("%d frames out; want %d", len(after), len(before))
	}
	checked, i := 0, 0
	for _, f := range files {
		for n := 1; n <= f.frames; n, i = n+1, i+1 {
			want := innerProtocols(before[i])
			if transport(after[i]) != transport(want) && decapKnown[fmt.Sprintf("%s#%d", f.name, n)] == "" {
				t.Errorf("%s frame %d: tshark decodes %q in the output; want %q (input %q)", f.name, n, after[i], want, before[i])
			}
			if want != before[i] {
				checked++
			}
		}
	}
	// The repository's corpus alone has 1372 decapsulated frames; with
	// ../shared/corpus's two further files, 1374.
	want := 1372
	if len(files) > len(testutil.CorpusFiles(t)) {
		want = 1374
	}
	if checked < want {
		t.Errorf("only %d decapsulated frames checked; want %d or more", checked, want)
	}
	t.Logf("%d files, %d frames, %d of them decapsulated, checked against tshark", len(files), len(before), checked)
}
