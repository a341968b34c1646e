#!/bin/sh
# The what-if page's speed in Debian's headless Chromium: the time from a lever's move to the
# last of its runs (and to its first answer), on the page of a results folder. A benchmark,
# not a test: run it on a quiet machine and compare versions side by side.
#
# Usage: bench/whatif_page.sh [RESULTS_DIR] [REPEATS]
#   RESULTS_DIR  default outputs/friesland (its whatif.html: 1,000 runs of the baseline and
#                the first question's strategy, the page's default)
#   REPEATS      default 10
set -eu
cd "$(dirname "$0")/.."
dir=${1:-outputs/friesland}
repeats=${2:-10}
nproc=$(nproc)
echo "whatif_page: $dir/whatif.html, $repeats moves of a lever, $nproc cores"
python3 scripts/check_whatif.py "$dir/whatif.html" --repeat "$repeats" | tail -n 1
