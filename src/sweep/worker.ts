/**
 * A sweep worker thread: runs one point's replicate at a time and posts
 * back its metrics. Loaded from dist/ (the compiled file), by run.ts.
 */
import { parentPort } from 'node:worker_threads';
import { runTask, type TaskMessage } from './task.js';

parentPort!.on('message', (m: TaskMessage) => {
  parentPort!.postMessage(runTask(m));
});
