import { InputError } from '../util/errors.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from '../sim/run.js';
import { metricsOf, type Metrics } from './metrics.js';

export interface TaskMessage {
  id: number;
  text: string;
  file: string;
  seed: number;
}

export type TaskReply = { id: number; values: Metrics; partial: boolean } | { id: number; error: string; hint?: string; stack?: string; input: boolean };

/** Run one replicate of one point: the same code in a worker thread and in-process. */
export function runTask(m: TaskMessage): TaskReply {
  try {
    const s = parseScenario(m.text, m.file, { seed: m.seed });
    const { results } = runScenario(s);
    return { id: m.id, values: metricsOf(results), partial: results.run.partial };
  } catch (e) {
    if (e instanceof InputError) return { id: m.id, error: e.describe(), hint: e.hint, input: true };
    return { id: m.id, error: (e as Error).message ?? String(e), stack: (e as Error).stack, input: false };
  }
}
