import { Cfs, defaultCfsTunables, type CfsTunables } from './cfs.js';
import type { SchedClass, SchedEntity, SchedulerKind } from './types.js';

export * from './types.js';
export { Cfs, defaultCfsTunables, tunableFactor } from './cfs.js';

export interface SchedulerConfig {
  kind: SchedulerKind;
  ncpus: number;
  /** Overrides of the class's tunables (ns). */
  tunables: Partial<CfsTunables>;
}

type Factory = <E extends SchedEntity>(c: SchedulerConfig) => SchedClass<E>;

/** Every host scheduler, by kind: an unwired kind does not type-check. */
export const SCHEDULERS: Record<SchedulerKind, Factory> = {
  cfs: <E extends SchedEntity>(c: SchedulerConfig) => new Cfs<E>({ ...defaultCfsTunables(c.ncpus), ...c.tunables }),
};

export function makeScheduler<E extends SchedEntity>(c: SchedulerConfig): SchedClass<E> {
  return SCHEDULERS[c.kind](c) as SchedClass<E>;
}
