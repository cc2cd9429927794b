#!/usr/bin/env bash
# After `make install` as root on the running system (not DESTDIR staging):
# create the service user from its sysusers.d entry and tell systemd about
# the new unit. Usage: scripts/install-system.sh SYSUSERS_CONF
set -euo pipefail
conf=$1
if ! getent passwd pcappush >/dev/null; then
  if command -v systemd-sysusers >/dev/null; then
    systemd-sysusers "$conf"
  else
    useradd --system --user-group --home-dir /var/lib/pcappush --no-create-home \
      --shell /usr/sbin/nologin --comment "pcappush capture push" pcappush
  fi
  echo "created user pcappush"
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
cat <<MSG
next: edit /etc/pcappush/push_realtime.lua (check it with push_realtime --dry-run),
      let pcappush read the capture store and write the File targets' folders
      (systemctl edit push_realtime: ReadWritePaths=...), then
      systemctl enable --now push_realtime
MSG
