#!/usr/bin/env bash
# contractsim on a Slurm cluster, step 1 of 2: one array task per shard.
#
# Each task K runs shard K of SHARDS (a contiguous block of the runs, with the same per-run
# random streams as a single-machine run) and writes a partial results folder to
# $WORK/partials/shard-K. Step 2, contractsim-merge.sh, combines them into the results a
# single run writes. See docs/cluster.md.
#
# Submit from the folder that holds the scenario file (logs/ must exist first):
#   mkdir -p logs
#   array=$(sbatch --parsable cluster/slurm/contractsim-array.sh)
#   sbatch --dependency=afterok:"${array%%;*}" cluster/slurm/contractsim-merge.sh
# Rerun one failed shard (here 17) alone; SHARDS stays 64:
#   sbatch --array=17 cluster/slurm/contractsim-array.sh
#
# The --array range below must be 0-(SHARDS-1). Size a task with one shard first:
#   /usr/bin/time -v contractsim run "$SCENARIO" --shard 0/64 --runs ... --out /tmp/s0
#SBATCH --job-name=contractsim
#SBATCH --array=0-63
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=01:00:00
#SBATCH --output=logs/contractsim-%A_%a.out

set -euo pipefail

# --- Settings: the same for every shard and for the merge ------------------------------
SCENARIO="${SCENARIO:-scenarios/friesland.toml}" # scenario file, readable from every node
SHARDS="${SHARDS:-64}"                            # N in --shard K/N: the size of --array
RUNS="${RUNS:-1000000}"                           # total runs over all shards
SEED="${SEED:-20260101}"                          # seed of the random streams
WORK="${WORK:-${SLURM_SUBMIT_DIR:-$PWD}}"         # shared folder for partials/ and results/
CONTRACTSIM="${CONTRACTSIM:-contractsim}"         # the binary (a path, or on PATH)
# ----------------------------------------------------------------------------------------

: "${SLURM_ARRAY_TASK_ID:?run this script as a Slurm array job (sbatch), not directly}"
THREADS="${SLURM_CPUS_PER_TASK:-1}"
SHARD="${SLURM_ARRAY_TASK_ID}"

if ((SHARD < 0 || SHARD >= SHARDS)); then
  echo "array task ${SHARD} is outside 0..$((SHARDS - 1)): make --array match SHARDS=${SHARDS}" >&2
  exit 2
fi
# N is SHARDS, not SLURM_ARRAY_TASK_COUNT: a rerun of one shard (--array=17) is an array
# of one task, but its shard is still 17 of 64.
if [[ -n "${SLURM_ARRAY_TASK_COUNT:-}" && "${SLURM_ARRAY_TASK_COUNT}" != "${SHARDS}" ]]; then
  echo "note: this array has ${SLURM_ARRAY_TASK_COUNT} tasks, running shard ${SHARD}/${SHARDS} (a rerun?)" >&2
fi

OUT="${WORK}/partials/shard-${SHARD}"
mkdir -p "${WORK}/partials"
echo "contractsim shard ${SHARD}/${SHARDS} of ${SCENARIO}: ${RUNS} runs in all, seed ${SEED}, ${THREADS} threads, to ${OUT}"
"${CONTRACTSIM}" run "${SCENARIO}" \
  --shard "${SHARD}/${SHARDS}" \
  --runs "${RUNS}" \
  --seed "${SEED}" \
  --threads "${THREADS}" \
  --out "${OUT}"
