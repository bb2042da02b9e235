#!/bin/sh
# A C compiler stand-in for `cargo clippy/check --target x86_64-apple-darwin` on Linux
# (release/lint-targets.sh): ring's C needs the macOS SDK, which Linux lacks, and a check never
# links, so each object it asks for is written empty. Preprocessing (cc-rs's compiler detection)
# goes to the host cc; `-?` (cc-rs's MSVC probe) fails, as it does for gcc.
case "$1" in
  -E) exec cc "$@" ;;
  -\?) exit 1 ;;
esac
while [ $# -gt 0 ]; do
  [ "$1" = -o ] && { shift; : >"$1"; }
  shift
done
