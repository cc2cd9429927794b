#!/usr/bin/env bash
# Installs the Debian packages that pcappush's tests, demo and benchmarks
# use, when they are missing. Usage: scripts/setup-debian.sh PACKAGE...
# Runs apt-get as root, or through sudo when not root.
#
# The tests start the servers they need themselves (sshd, vsftpd, smbd,
# prometheus on loopback ports, with configurations of their own), so the
# system services these packages bring must neither start nor stay
# enabled: the install runs under a policy-rc.d that forbids every start,
# and each .service and .socket unit (and SysV script) of a package
# installed here is disabled afterwards. Packages that were installed
# before are left as they are.
set -euo pipefail

missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "${missing[@]}"
  fi
  echo "setup: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 1
fi

# One setup at a time on this machine: the policy-rc.d below is shared.
exec 9>/run/lock/pcappush-setup.lock
flock 9

policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then
  saved=$(mktemp /usr/sbin/.policy-rc.d.pcappush.XXXXXX)
  cp -p "$policy" "$saved"
fi
restore() {
  if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
}
trap restore EXIT
printf '#!/bin/sh\n# pcappush setup: no service starts while test packages install\nexit 101\n' >"$policy.pcappush"
chmod 0755 "$policy.pcappush"
mv -f "$policy.pcappush" "$policy"

before=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort)
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
after=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort)

# Disable what the new packages enabled: units with systemctl (which works
# whether systemd runs or not, and keeps SysV links in step), SysV scripts
# with update-rc.d where there is no systemctl.
disabled=()
for pkg in $(comm -13 <(echo "$before") <(echo "$after")); do
  while read -r f; do
    case "$f" in
      /lib/systemd/system/*.service | /lib/systemd/system/*.socket | \
        /usr/lib/systemd/system/*.service | /usr/lib/systemd/system/*.socket)
        unit=${f##*/}
        [[ "$unit" == *@* ]] && continue
        if command -v systemctl >/dev/null && [ "$(systemctl is-enabled "$unit" 2>/dev/null)" = enabled ]; then
          systemctl disable --quiet --no-reload "$unit" >/dev/null 2>&1
          disabled+=("$unit")
        fi
        ;;
      /etc/init.d/*)
        name=${f##*/}
        if ! command -v systemctl >/dev/null && ls /etc/rc[2-5].d/S??"$name" >/dev/null 2>&1; then
          update-rc.d "$name" disable >/dev/null 2>&1
          disabled+=("$name (SysV)")
        fi
        ;;
    esac
  done < <(dpkg-query -L "$pkg" 2>/dev/null)
done
if [ ${#disabled[@]} -gt 0 ]; then
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  echo "setup: disabled the system services these packages enabled: ${disabled[*]}" >&2
fi
