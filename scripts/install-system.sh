#!/usr/bin/env bash
# After `make install` as root on the running system (not DESTDIR staging):
# create the service user and its folders from the sysusers.d and
# tmpfiles.d entries, and tell systemd about the new unit.
# Usage: scripts/install-system.sh SYSUSERS_CONF TMPFILES_CONF
set -euo pipefail
users=$1
folders=$2
if ! getent passwd pcappush >/dev/null; then
  if command -v systemd-sysusers >/dev/null; then
    systemd-sysusers "$users"
  else
    useradd --system --user-group --home-dir /var/lib/pcappush --no-create-home \
      --shell /usr/sbin/nologin --comment "pcappush capture push" pcappush
  fi
  echo "created user pcappush"
fi
if command -v systemd-tmpfiles >/dev/null; then
  systemd-tmpfiles --create "$folders"
else
  # the same lines, read by hand: d PATH MODE USER GROUP
  while read -r type path mode user group _; do
    if [ "$type" = d ] && [ ! -e "$path" ]; then
      install -d -m "$mode" -o "$user" -g "$group" "$path"
    fi
  done < <(grep -v '^#' "$folders")
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
