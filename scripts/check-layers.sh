#!/bin/sh
# Layers look down only (README "Layout"):
#   bot/ -> handlers/ -> hooks/, templates/, compose/ -> store/ -> util/
# and no layer includes the fuzzing harnesses' fuzz/.
# Fails, naming each line, when an #include runs the wrong way. `make lint`
# runs it, so CI does.
set -eu
cd "$(dirname "$0")/.."
# layer: the folders it must not include from
forbidden() {
  case "$1" in
    util) echo "bot handlers hooks templates compose store fuzz" ;;
    store) echo "bot handlers hooks templates compose fuzz" ;;
    templates) echo "bot handlers hooks compose store fuzz" ;;
    hooks) echo "bot handlers templates compose fuzz" ;;
    compose) echo "bot handlers hooks templates store fuzz" ;;
    handlers) echo "bot fuzz" ;;
    bot) echo "fuzz" ;;
    *) echo "" ;;
  esac
}
bad=0
for layer in util store templates hooks compose handlers bot; do
  [ -d "$layer" ] || continue
  for up in $(forbidden "$layer"); do
    hits=$(grep -Hn "^#include \"$up/" "$layer"/*.cc "$layer"/*.h 2>/dev/null || true)
    if [ -n "$hits" ]; then
      printf '%s\n' "$hits" | sed "s#\$#   <- $layer/ must not include $up/#"
      bad=1
    fi
  done
done
if [ "$bad" != 0 ]; then
  echo "check-layers: includes that run up the layers (see README 'Layout')" >&2
  exit 1
fi
echo "check-layers: ok"
