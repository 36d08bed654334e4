/**
 * Grids beyond one machine: the cell protocol every grid answers (cells.ts), running a figure's
 * plan or one cell as a subprocess (plan.ts), and Slurm array submission (slurm.ts). README "Run
 * on a cluster" shows the commands; tests/cluster/slurm_test.ts runs them on a real one-node Slurm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellCommand, indexRanges } from "./mod.ts";
 * assert.equal(indexRanges([0, 1, 2, 7]), "0-2,7");
 * assert.equal(
 *   cellCommand("A6", "00000000000000ff", []),
 *   "npx deno task cell --figure A6 --key 00000000000000ff",
 * );
 * ```
 * @module
 */
export {
  CELL_REQUEST_ENV,
  type CellReply,
  type CellRequest,
  cellRequestFromEnv,
  type GridCells,
  indexRanges,
  missingCellsError,
  parseCellRequest,
  type PlannedCell,
  resolveRunsDir,
  RUNS_DIR_ENV,
  type SavedCell,
  selectCell,
  serveCellRequest,
} from "./cells.ts";
export {
  cellCommand,
  type CellOptions,
  gridEntry,
  planCells,
  type PlanLine,
  runCell,
  runFigureScript,
  type ScriptOptions,
  shellQuote,
} from "./plan.ts";
export {
  assembleScript,
  cellsScript,
  findExecutable,
  parsePartition,
  parseSlurmTime,
  sbatch,
  slurmDir,
  type SlurmGrid,
  type SlurmSettings,
  type Submission,
  submissionText,
  submitGrid,
  submitters,
  unfinished,
} from "./slurm.ts";
