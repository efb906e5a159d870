#!/usr/bin/env bash
# Usage: chapters/ch23-epoll/burst.sh [CLIENTS] [PORT]
#
# Starts CLIENTS `nc` clients at once against 127.0.0.1:PORT (default 20 and 43211). Each
# sends one line and waits up to 2 s for the reply; the script prints how many got one.
# Run it against `epoll01` with and without `--c-bug accept-once` (chapter README).
set -euo pipefail
clients=${1:-20}
port=${2:-43211}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for i in $(seq "$clients"); do
    (printf 'client %s\n' "$i" | timeout 2 nc 127.0.0.1 "$port" >"$dir/$i" || true) &
done
wait
echo "$(cat "$dir"/* | wc -l) of $clients clients got a reply"
