#!/bin/sh
# Makes sure a Docker engine answers on the local socket: when none does, starts
# Debian's dockerd in the background (logs in /var/log/sandbot-dockerd.log) and
# waits until its API answers /_ping.
set -eu
SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
ping_engine() { curl -sf --max-time 2 --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }
ping_engine && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "sandbot: no Docker engine answers on $SOCK; start one (sudo systemctl start docker)" >&2
  exit 1
fi
if command -v systemctl >/dev/null 2>&1 && systemctl start docker >/dev/null 2>&1 && ping_engine; then
  exit 0
fi
echo "sandbot: starting dockerd (log: /var/log/sandbot-dockerd.log)"
# Every sandbox has its own bridge network; Docker's default pools hold about
# 30, so give it room for 256 (/24 each).
nohup dockerd --default-address-pool base=10.213.0.0/16,size=24 \
  >>/var/log/sandbot-dockerd.log 2>&1 &
i=0
while ! ping_engine; do
  i=$((i + 1))
  if [ $i -gt 120 ]; then
    echo "sandbot: dockerd did not answer within 60 s; see /var/log/sandbot-dockerd.log" >&2
    tail -n 20 /var/log/sandbot-dockerd.log >&2 || true
    exit 1
  fi
  sleep 0.5
done
