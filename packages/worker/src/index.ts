/**
 * `@syncmodes/worker`: syncmodes as a service on Postgres and pg-boss 12 (Node ≥ 22.12) —
 * workers that take sync runs from a queue, cron and interval schedules, and the control
 * side (`schedule`, `enqueue`). The CLI's `syncmodes worker | schedule | enqueue` use it.
 */
export { startWorker, type RunningWorker, type WorkerOptions } from './worker';
export { SyncQueue, type EnqueueResult, type ScheduleListing } from './sync-queue';
export { queueOptions, type QueuePolicy } from './boss';
export { dispositionOf, OVERLAP_NOTIFY_AFTER, OVERLAP_REQUEUE_MAX_MS, OVERLAP_REQUEUE_MS, overlapRequeueMs, type Disposition, type RunEnd } from './disposition';
export { notificationOf, postNotification, type RunNotification } from './notify';
export { DEAD_LETTER_QUEUE, RUN_QUEUE_PREFIX, runQueue } from './queues';
export { nextRunAt } from './next-run';
export type { RunJobData, StoredSync, SyncDefinition, SyncSchedule } from './definitions';
export type { SyncRunner, WorkerRunContext, WorkerRunResult } from './runner';
export { PROGRESS_INTERVAL_MS } from './run-progress';
