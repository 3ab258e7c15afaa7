import type { Ns } from '../engine/time.js';
import { Cfs, defaultCfsTunables, type CfsTunables } from './cfs.js';
import { Eevdf, defaultEevdfTunables, EEVDF_FEATURES, type EevdfFeatures, type EevdfTunables } from './eevdf.js';
import type { SchedClass, SchedEntity, SchedulerKind } from './types.js';

export * from './types.js';
export { Cfs, defaultCfsTunables, tunableFactor } from './cfs.js';
export { Eevdf, defaultEevdfTunables, EEVDF_FEATURES, checkEevdfRunQueue, type EevdfFeatures, type EevdfTunables } from './eevdf.js';

export interface SchedulerConfig {
  kind: SchedulerKind;
  ncpus: number;
  /** Overrides of the class's tunables (ns); each class reads only its own. */
  tunables: Partial<CfsTunables & EevdfTunables>;
  /** EEVDF sched_feat switches, for experiments (default: EEVDF_FEATURES, all on). */
  features?: Partial<EevdfFeatures>;
  /** The host tick (TICK_NSEC), which EEVDF's lag clamp depends on; default 1 ms. */
  tickNs?: Ns;
}

type Factory = <E extends SchedEntity>(c: SchedulerConfig) => SchedClass<E>;

/** Every host scheduler, by kind: an unwired kind does not type-check. */
const cfs = <E extends SchedEntity>(c: SchedulerConfig) => {
  const { latencyNs, minGranularityNs, wakeupGranularityNs } = { ...defaultCfsTunables(c.ncpus), ...c.tunables };
  return new Cfs<E>({ latencyNs, minGranularityNs, wakeupGranularityNs });
};

export const SCHEDULERS: Record<SchedulerKind, Factory> = {
  cfs,
  // Co-scheduling orders threads with CFS; the host adds co-stop and co-start.
  'cosched-relaxed': cfs,
  'cosched-strict': cfs,
  eevdf: <E extends SchedEntity>(c: SchedulerConfig) =>
    new Eevdf<E>({ baseSliceNs: c.tunables.baseSliceNs ?? defaultEevdfTunables(c.ncpus).baseSliceNs }, { ...EEVDF_FEATURES, ...c.features }, c.tickNs),
};

export function makeScheduler<E extends SchedEntity>(c: SchedulerConfig): SchedClass<E> {
  return SCHEDULERS[c.kind](c) as SchedClass<E>;
}
