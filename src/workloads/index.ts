import { barrier } from './barrier.js';
import type { WorkloadDef } from './common.js';
import { cpu, idle } from './cpu.js';
import { program } from './program.js';
import { io, request } from './request.js';
import { spinlock } from './spinlock.js';
import { vector } from './vector.js';
import { tlb } from './tlb.js';

export type WorkloadKind = 'cpu' | 'spinlock' | 'barrier' | 'request' | 'io' | 'idle' | 'vector' | 'tlb' | 'program';

/** Every workload, by kind. */
export const WORKLOADS: Record<WorkloadKind, WorkloadDef> = { cpu, spinlock, barrier, request, io, idle, vector, tlb, program };

export type { WorkloadDef, WorkloadInstance, BuildContext } from './common.js';
export type { WorkloadEnv, PortHandler } from './env.js';
