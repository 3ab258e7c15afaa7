import { InputError } from '../scenario/errors.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from '../sim/run.js';
import { metricsOf, type Metrics } from './metrics.js';

export interface TaskMessage {
  id: number;
  text: string;
  file: string;
  seed: number;
}

export type TaskReply = { id: number; values: Metrics; partial: boolean } | { id: number; error: string; stack?: string; input: boolean };

/** Run one replicate of one point: the same code in a worker thread and in-process. */
export function runTask(m: TaskMessage): TaskReply {
  try {
    const s = parseScenario(m.text, m.file, { seed: m.seed });
    const { results } = runScenario(s);
    return { id: m.id, values: metricsOf(results), partial: results.run.partial };
  } catch (e) {
    return { id: m.id, error: e instanceof InputError ? e.format() : ((e as Error).message ?? String(e)), stack: (e as Error).stack, input: e instanceof InputError };
  }
}
