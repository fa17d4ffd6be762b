// The persistence module's public surface, for code outside src/db.
export { openDatabase, createPool, type Database, type PoolOptions } from './pool.js';
export { startEmbedded, runningEmbedded, embeddedDataDir, type EmbeddedDatabase } from './embedded.js';
export { migrate, migrationStatus, pendingMigrations, loadMigrations } from './migrate.js';
export {
  WriteQueue,
  type WriteOp,
  type WriteOutcome,
  type WriteQueueStats,
  type WriteQueueOptions,
} from './write-queue.js';
export {
  CallRecorder,
  CallLedger,
  isValidCallId,
  type CallStart,
  type AgentTurnRecord,
  type CallerTurnRecord,
  type CallEndRecord,
  type TurnLatency,
} from './recorder.js';
export {
  normaliseFacts,
  readNormalisedCallFacts,
  readNormalisedGymFacts,
  type NormalisedFacts,
  type NormalisedDayHours,
  type NormalisedPlan,
} from './normalise.js';
export { callDetail, gymDetail, type CallDetail, type GymDetail, type TranscriptItem } from './read-model.js';
export { dbRoutes } from './routes.js';
export { exportCalls } from './export/export.js';
