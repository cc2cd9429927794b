package main

// The rclone backends pcap_split can upload to.
import _ "github.com/pcappush/pcappush/lib/output/backends"
