import type { Field } from '../util/params.js';
import type { WorkloadDef } from './common.js';

/** A program the user writes in the ISA (docs/isa.md), inline or from a file. */
export const program: WorkloadDef = {
  help: 'A guest program in simvm\'s ISA, inline (`source`) or from a file (`file`, relative to the scenario).',
  params: {
    source: { type: 'string', help: 'The program text.' } as Field,
    file: { type: 'string', help: 'A file holding the program, relative to the scenario file.' } as Field,
    throughput: { type: 'string', help: 'Name of the `count` probe that measures throughput.', default: 'ops' } as Field,
  },
  build(p) {
    return { source: p.source, throughput: { counter: p.throughput, unit: p.throughput }, latencies: [] };
  },
};
