package main

// The rclone backends pcap_split can upload to (lib/output/backends).
import _ "github.com/pcappush/pcappush/lib/output/backends"
