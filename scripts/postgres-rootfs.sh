#!/bin/sh
# Builds a root filesystem tarball holding PostgreSQL 15 from Debian's own
# packages as installed on this machine (postgresql-15: its programs, their
# shared libraries, its share folder), with busybox-static for a shell, for
# `sandbot image import` (no registry). mmdebstrap would need the network
# and minutes; the installed files are already here.
#
# The entry, /usr/local/bin/pg-entry: on an empty $PGDATA (default
# /var/lib/postgresql/data) it runs initdb (user $POSTGRES_USER, password
# $POSTGRES_PASSWORD, database $POSTGRES_DB; C locale, UTF8), then starts
# postgres as user postgres listening on every address, port 5432. A
# seeded $PGDATA (a copy of another one's files) is used as it is.
set -eu
out=$1
pg=/usr/lib/postgresql/15
[ -x "$pg/bin/postgres" ] || {
  echo "postgresql-15 is not installed (apt-get install postgresql-15)" >&2
  exit 1
}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/usr/local/bin" "$root/usr/share" \
  "$root/var/lib/postgresql" "$root/run/postgresql"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
chmod 1777 "$root/tmp"
mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
cp -a "$pg" "$root/usr/lib/postgresql/"
# The JIT provider would bring LLVM (~100 MB); without it JIT is simply off.
rm -rf "$root$pg"/lib/llvmjit* "$root$pg"/lib/bitcode
cp -a /usr/share/postgresql/15 "$root/usr/share/postgresql/"
cp -a /usr/share/zoneinfo "$root/usr/share/" 2>/dev/null || true
# Every shared library the programs and modules load, at its own path.
for f in "$pg"/bin/* "$root$pg"/lib/*.so; do
  ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }'
done | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# /lib64 → ld-linux's path as the programs name it.
[ -e "$root/lib64" ] || { [ -d /lib64 ] && mkdir -p "$root/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/" 2>/dev/null || true; }
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/:/bin/sh
postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh
PASSWD
printf 'root:x:0:\npostgres:x:999:\n' >"$root/etc/group"
cat >"$root/usr/local/bin/pg-entry" <<'ENTRY'
#!/bin/sh
set -eu
export PATH=/usr/lib/postgresql/15/bin:/bin
data=${PGDATA:-/var/lib/postgresql/data}
user=${POSTGRES_USER:-postgres}
mkdir -p "$data" /run/postgresql
chown postgres:postgres "$data" /run/postgresql
chmod 700 "$data"
if [ ! -s "$data/PG_VERSION" ]; then
  umask 077
  printf '%s\n' "${POSTGRES_PASSWORD:-postgres}" >/tmp/pgpass
  chown postgres /tmp/pgpass
  su -s /bin/sh postgres -c "initdb -D '$data' -U '$user' --pwfile=/tmp/pgpass \
    -A scram-sha-256 --locale=C -E UTF8" >/dev/null
  rm -f /tmp/pgpass
  echo "host all all all scram-sha-256" >>"$data/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != "$user" ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$user\";" |
      su -s /bin/sh postgres -c "postgres --single -D '$data' postgres" >/dev/null
  elif [ "$user" != postgres ]; then
    echo "CREATE DATABASE \"$user\" OWNER \"$user\";" |
      su -s /bin/sh postgres -c "postgres --single -D '$data' postgres" >/dev/null
  fi
fi
exec su -s /bin/sh postgres -c "exec postgres -D '$data' -c listen_addresses='*' \
  -c unix_socket_directories=/run/postgresql"
ENTRY
chmod 755 "$root/usr/local/bin/pg-entry"
tar -C "$root" -cf "$out.tmp" . && mv "$out.tmp" "$out"
