local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "pcap-all", Mode = "File", Path = "/mnt/remote0/push/all",
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = nil })
table.insert(Config.Target, { Desc = "pcap-tcp", Mode = "File", Path = "/mnt/remote0/push/tcp",
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = "net 192.168.1.0/24 and tcp" })
return Config
