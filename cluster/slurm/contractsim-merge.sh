#!/usr/bin/env bash
# contractsim on a Slurm cluster, step 2 of 2: merge the partial results folders of
# contractsim-array.sh into the results folder a single-machine run writes.
#
# Submit so that it starts only when every shard succeeded (afterok on the array job id
# waits for all of its tasks):
#   mkdir -p logs
#   array=$(sbatch --parsable cluster/slurm/contractsim-array.sh)
#   sbatch --dependency=afterok:"${array%%;*}" cluster/slurm/contractsim-merge.sh
# When a shard failed, afterok never fires: rerun that shard (sbatch --array=K ...), then
# submit this script again without --dependency. See docs/cluster.md.
#SBATCH --job-name=contractsim-merge
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=00:30:00
#SBATCH --output=logs/contractsim-merge-%j.out

set -euo pipefail

# --- Settings: as in contractsim-array.sh -----------------------------------------------
SHARDS="${SHARDS:-64}"                    # the number of shards the array ran
WORK="${WORK:-${SLURM_SUBMIT_DIR:-$PWD}}" # the folder holding partials/
RESULTS="${RESULTS:-${WORK}/results}"     # the merged results folder
CONTRACTSIM="${CONTRACTSIM:-contractsim}" # the binary (a path, or on PATH)
# ----------------------------------------------------------------------------------------

shopt -s nullglob
partials=("${WORK}"/partials/shard-*)
if ((${#partials[@]} != SHARDS)); then
  echo "found ${#partials[@]} partial folders in ${WORK}/partials, expected ${SHARDS}: rerun the missing shards first" >&2
  exit 2
fi

echo "merging ${#partials[@]} shards into ${RESULTS}"
# merge checks that the shards are 0..N-1 of one N, each once, from the same scenario
# (file hash), seed, runs and contractsim version, and refuses otherwise.
"${CONTRACTSIM}" merge "${partials[@]}" --out "${RESULTS}"
