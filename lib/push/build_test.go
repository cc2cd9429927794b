package push

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/split"
	statepkg "github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

var tools = map[string]string{"stream_cat": "/b/stream_cat", "pcap_decap": "/b/pcap_decap", "pcap_filter": "/b/pcap_filter", "pcap_split": "/b/pcap_split"}

func TestBuildShapes(t *testing.T) {
	base := Spec{Tools: tools, UID: "push_1", Store: "/s", Capture: "cap1"}
	tests := []struct {
		name string
		t    config.Target
		s    Spec
		want string
	}{
		{"reference all, offline", config.Target{Path: "/mnt/remote0/push/all", Split: "--split-time 60e9", FileName: split.EpochSecStartEnd}, base,
			"/b/stream_cat --uid push_1 --store /s --skip-bad -- cap1 | /b/pcap_split --uid push_1 -o /mnt/remote0/push/all --split-time 60e9 --filename-epoch-sec-startend"},
		{"filter and decap", config.Target{Path: "/p/tcp", Split: "--split-byte 1e9", FileName: split.TstrHHMMSS, Decap: true, FilterBPF: "net 192.168.1.0/24 and tcp"}, base,
			"/b/stream_cat --uid push_1 --store /s --skip-bad -- cap1 | /b/pcap_decap | /b/pcap_filter --bpf 'net 192.168.1.0/24 and tcp' | /b/pcap_split --uid push_1 -o /p/tcp --split-byte 1e9 --filename-tstr-HHMMSS"},
		{"rclone with pipe command", config.Target{Mode: config.ModeRclone, Path: "s3-fmad://pcap/all", Split: "--split-time 60e9", FileName: split.TstrHHMMSS, PipeCmd: "gzip -c", FileSuffix: ".pcap.gz"},
			Spec{Tools: tools, UID: "push_1", Capture: "cap1", RcloneConfig: "/etc/rc.conf"},
			"/b/stream_cat --uid push_1 --skip-bad -- cap1 | /b/pcap_split --uid push_1 -o s3-fmad://pcap/all --split-time 60e9 --filename-tstr-HHMMSS --pipe-cmd 'gzip -c' --rclone --rclone-config /etc/rc.conf --filename-suffix .pcap.gz"},
		{"post command", config.Target{Desc: "pcap-all", Path: "/p/all", Split: "--split-time 60e9", FileName: split.EpochSec, Post: `/usr/local/bin/index "$1"`}, base,
			`/b/stream_cat --uid push_1 --store /s --skip-bad -- cap1 | PCAPPUSH_TARGET=pcap-all /b/pcap_split --uid push_1 -o /p/all --split-time 60e9 --filename-epoch-sec --post-cmd '/usr/local/bin/index "$1"'`},
		{"realtime resuming", config.Target{Path: "/p/all", Split: "--split-time 60e9", FileName: split.EpochSec},
			Spec{Tools: tools, UID: "push_1", Capture: "cap1", Follow: true, CheckpointEvery: 60e9, Ledger: "/st/push_1/cap1.ledger", Resume: true, ResumeAt: 120e9},
			"/b/stream_cat --uid push_1 --follow --skip-bad --checkpoint-every 60000000000 --resume 120000000000 -- cap1 | /b/pcap_split --uid push_1 -o /p/all --split-time 60e9 --filename-epoch-sec --ledger /st/push_1/cap1.ledger --checkpoint-every 60000000000 --idle-close 0 --resume"},
		{"compiled filter, capture named like an option", config.Target{Path: "/p/tcp", Split: "--split-time 60e9", FileName: split.EpochSec, FilterBPF: "tcp"},
			Spec{Tools: tools, UID: "push_1", Capture: "--list", FilterCode: "1:4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0"},
			"/b/stream_cat --uid push_1 --skip-bad -- --list | /b/pcap_filter --bpf tcp --compiled '1:4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0' | /b/pcap_split --uid push_1 -o /p/tcp --split-time 60e9 --filename-epoch-sec"},
	}
	for _, tt := range tests {
		if got := Build(tt.t, tt.s).Shell(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestPlanResume(t *testing.T) {
	state := t.TempDir()
	tgt := config.Target{Desc: "all", SplitTime: 60e9}
	// Nothing published: start at the beginning.
	rp, err := planResume(tgt, state, "push_1", "cap2")
	if err != nil || rp.resume || rp.start != 0 || rp.after != 0 {
		t.Fatalf("fresh: %+v, %v", rp, err)
	}
	// An earlier capture published up to minute 5: a new capture's splits
	// start after it.
	appendEntry(t, filepath.Join(state, "push_1", "cap1.ledger"), ledger.Entry{Name: "a", End: 300e9, HasCkpt: true, Ckpt: 240e9})
	if rp, _ = planResume(tgt, state, "push_1", "cap2"); rp.after != 300e9 || rp.resume {
		t.Errorf("after another capture: %+v", rp)
	}
	// Published from this capture, with its checkpoint on record: resume.
	appendEntry(t, filepath.Join(state, "push_1", "cap2.ledger"), ledger.Entry{Name: "b", End: 420e9, Last: 419e9, HasCkpt: true, Ckpt: 360e9, Skip: 12})
	// The checkpoint file missing, emptied or with its line torn by a
	// power cut: resume by time after the ledger's last split.
	ckpts := statepkg.At(state).Checkpoints("push_1", "cap2")
	for _, cut := range []string{"missing", "", "# stream_cat checkpoints v1: TIME_NS OFFSET \"CHUNK\"\n360000000000 24 \"x1.pc"} {
		if cut != "missing" {
			os.WriteFile(ckpts, []byte(cut), 0o640)
		}
		rp, _ = planResume(tgt, state, "push_1", "cap2")
		if rp.resume || rp.start != 420e9 || rp.after != 420e9 || !strings.Contains(rp.note, "WARNING: checkpoint 360000000000 of cap2 is missing") {
			t.Errorf("checkpoint file %q: %+v; want a loud time-based resume at the split's end", cut, rp)
		}
	}
	cl, err := checkpoint.Open(ckpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Compact(0); err != nil {
		t.Fatal(err)
	}
	if err := cl.Add(checkpoint.Point{Time: 360e9, Chunk: "x1.pcap", Offset: 24}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Sync(); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	if rp, _ = planResume(tgt, state, "push_1", "cap2"); !rp.resume || rp.ckpt != 360e9 {
		t.Errorf("with the checkpoint: %+v; want a resume at 360e9", rp)
	}
}

func appendEntry(t *testing.T, path string, e ledger.Entry) {
	t.Helper()
	l, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(e); err != nil {
		t.Fatal(err)
	}
	l.Close()
}
