#!/usr/bin/env bash
# Makes this machine ready to run Carve (and, with --test, its test suite): Debian packages,
# PostgreSQL and Redis running, npm dependencies with the libvirt binding built, the Prisma client
# generated. Idempotent and quick when everything is already there. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true
log() { printf 'carve-bootstrap: %s\n' "$*" >&2; }

packages=(postgresql redis-server libvirt-dev libvirt-clients pkg-config python3 make g++)
# The agent builds cloud-init seed ISOs (genisoimage) and hashes first passwords (openssl passwd -6).
packages+=(genisoimage openssl)
# The real-hypervisor lane: libvirtd + QEMU (TCG), and what the tests build a boot image from.
$want_test && packages+=(libvirt-daemon-system qemu-system-x86 qemu-utils linux-image-cloud-amd64
  busybox-static syslinux syslinux-common mtools dosfstools xorriso)
# The SSH key tests check fingerprints against keys ssh-keygen makes.
$want_test && packages+=(openssh-client)
# The directory tests start their own throwaway slapd (the packaged instance is not used) and make
# their CA and server certificate with openssl.
$want_test && packages+=(slapd ldap-utils openssl)
# The portal's browser tests drive Debian's Chromium through playwright-core.
$want_test && packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $EUID -ne 0 ]]; then log "missing Debian packages: ${missing[*]}; run this as root"; exit 1; fi
  log "installing ${missing[*]}"
  # slapd: no packaged directory (and so no default admin password); the tests run their own.
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confnew "${missing[@]}" >/dev/null
fi

# PostgreSQL: running, with a superuser role for the local root account (peer auth over the socket).
if ! pg_isready -q -h /var/run/postgresql; then
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 50); do pg_isready -q -h /var/run/postgresql && break; sleep 0.2; done
fi
if [[ $EUID -eq 0 ]] && ! psql -h /var/run/postgresql -d postgres -tAc "select 1" >/dev/null 2>&1; then
  log "creating PostgreSQL role root"
  runuser -u postgres -- psql -q -c "CREATE ROLE root SUPERUSER LOGIN" >/dev/null
fi

# The tests' Redis on 6379: a throwaway fixture with the open default user, never evicting queue
# keys (BullMQ needs noeviction). `npm start` does not use it: it runs Carve's own Redis, with
# the default user off (scripts/lib/carve-redis.ts).
if $want_test; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    log "starting the tests' Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 config set maxmemory-policy noeviction >/dev/null
fi

# Serial console logs of the guests (written by virtlogd, read by the agent and the tests).
install -d -m 0755 /var/log/carve/console 2>/dev/null || true

# npm dependencies, when missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund >/dev/null
fi
# The libvirt binding builds from source (its prebuilt download is unreachable here).
if [[ ! -f node_modules/@unraid/libvirt/build/Release/libvirt.node ]]; then
  log "building the libvirt binding"
  npm rebuild @unraid/libvirt --foreground-scripts >/dev/null
fi
if [[ ! -f packages/db/src/generated/client.ts || prisma/schema.prisma -nt packages/db/src/generated/client.ts ]]; then
  log "generating the Prisma client"
  npm run -s db:generate >/dev/null
fi
