import { describe, it, expect } from 'vitest';
import { MACHINES, MachineError, machineNames, resolveMachine } from '../../src/topology/machines.js';
import { SmpError, parseSmp } from '../../src/topology/smp.js';
import type { GuestTopology } from '../../src/topology/types.js';

function topo(cpus: number, maxcpus: number, sockets: number, dies: number, cores: number, threads: number): GuestTopology {
  return { cpus, maxcpus, sockets, dies, cores, threads };
}

const smp = (machine: string, text: string) => parseSmp(text, { machineType: resolveMachine(machine) });

describe('resolveMachine', () => {
  it('pc and q35 are the newest models, as QEMU aliases them', () => {
    expect(resolveMachine('pc').name).toBe('pc-i440fx-10.1');
    expect(resolveMachine('q35').name).toBe('pc-q35-10.1');
  });

  it('refuses a name it does not model, suggesting the nearest', () => {
    let caught: unknown;
    try {
      resolveMachine('pc-q35-9.3');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MachineError);
    expect((caught as MachineError).message).toBe('"pc-q35-9.3" is not a machine type simvm models');
    expect((caught as MachineError).hint).toMatch(/did you mean "pc-q35-9\.[0-2]"/);
  });

  it('lists every model once', () => {
    expect(new Set(machineNames()).size).toBe(machineNames().length);
    expect(MACHINES.length).toBe(26);
  });

  /** [machine, prefers sockets, max CPUs, info cpus format] */
  const PROPS: [string, boolean, number, string][] = [
    ['pc-i440fx-2.7', true, 255, 'query-cpus'],
    ['pc-q35-2.7', true, 255, 'query-cpus'],
    ['pc-i440fx-6.2', false, 255, 'query-cpus-fast'],
    ['pc-q35-6.2', false, 288, 'query-cpus-fast'],
    ['pc-q35-7.2', false, 288, 'query-cpus-fast'],
    ['pc-q35-8.0', false, 1024, 'query-cpus-fast'],
    ['pc-q35-8.2', false, 1024, 'query-cpus-fast'],
    ['pc-q35-9.0', false, 4096, 'query-cpus-fast'],
    ['pc-i440fx-9.2', false, 255, 'query-cpus-fast'],
    ['pc-q35-10.0', false, 4096, 'query-cpus-fast'],
    ['pc-q35-10.1', false, 4096, 'query-cpus-model'],
  ];
  it.each(PROPS)('%s: prefer sockets %s, max %i CPUs, info cpus %s', (name, preferSockets, max, format) => {
    const m = resolveMachine(name);
    expect(m.preferSockets).toBe(preferSockets);
    expect(m.maxCpus).toBe(max);
    expect(m.infoCpus).toBe(format);
  });
});

/** [machine, -smp, topology] */
const VALID: [string, string, GuestTopology][] = [
  // QEMU 2.7: the chapter's four examples.
  ['pc-i440fx-2.7', '', topo(1, 1, 1, 1, 1, 1)],
  ['pc-i440fx-2.7', '8', topo(8, 8, 8, 1, 1, 1)],
  ['pc-i440fx-2.7', '8,sockets=2,cores=2,threads=2', topo(8, 8, 2, 1, 2, 2)],
  ['pc-i440fx-2.7', '4,maxcpus=8', topo(4, 8, 8, 1, 1, 1)],
  // 2.7 keeps only cores and threads: sockets=3 of 8 CPUs gives cores=2 and 4 packages.
  ['pc-i440fx-2.7', '8,sockets=3', topo(8, 8, 4, 1, 2, 1)],
  ['pc-i440fx-2.7', '8,cores=2', topo(8, 8, 4, 1, 2, 1)],
  // A 0 is "omitted" in 2.7: -smp 0 is one CPU.
  ['pc-i440fx-2.7', '0', topo(1, 1, 1, 1, 1, 1)],
  ['pc-i440fx-2.7', '8,threads=0', topo(8, 8, 8, 1, 1, 1)],
  ['pc-q35-2.7', '255', topo(255, 255, 255, 1, 1, 1)],
  // 6.2 on: cores first.
  ['pc-i440fx-6.2', '8', topo(8, 8, 1, 1, 8, 1)],
  ['pc-q35-6.2', '8,sockets=2', topo(8, 8, 2, 1, 4, 1)],
  ['pc-q35-6.2', '8,threads=2', topo(8, 8, 1, 1, 4, 2)],
  ['pc-q35-6.2', '4,maxcpus=8', topo(4, 8, 1, 1, 8, 1)],
  ['pc-q35-6.2', '16,dies=2', topo(16, 16, 1, 2, 8, 1)],
  // 6.2-8.2 only warn about 0 and treat it as omitted.
  ['pc-q35-8.2', '8,sockets=0', topo(8, 8, 1, 1, 8, 1)],
  ['pc-q35-7.0', '8,clusters=1', topo(8, 8, 1, 1, 8, 1)],
  ['pc-q35-8.2', '8,books=1,drawers=1', topo(8, 8, 1, 1, 8, 1)],
  // 9.1 on: modules, folded into cores for the guest.
  ['pc-q35-9.1', '16,modules=2,cores=4,threads=2', topo(16, 16, 1, 1, 8, 2)],
  ['q35', '8', topo(8, 8, 1, 1, 8, 1)],
  ['pc-q35-9.0', '4096', topo(4096, 4096, 1, 1, 4096, 1)],
];

describe('parseSmp per machine type: valid', () => {
  it.each(VALID)('%s -smp %j', (machine, text, expected) => {
    expect(smp(machine, text)).toEqual(expected);
  });
});

/** [machine, -smp, QEMU's message of that version] */
const INVALID: [string, string, string][] = [
  ['pc-i440fx-2.7', '8,sockets=2,cores=2,threads=1', 'cpu topology: sockets (2) * cores (2) * threads (1) < smp_cpus (8)'],
  ['pc-i440fx-2.7', '8,sockets=4,cores=4,threads=1', 'cpu topology: sockets (4) * cores (4) * threads (1) > maxcpus (8)'],
  ['pc-i440fx-2.7', '4,maxcpus=2', 'maxcpus must be equal to or greater than smp'],
  ['pc-i440fx-2.7', '256', 'unsupported number of maxcpus'],
  ['pc-i440fx-2.7', '8,dies=2', "Invalid parameter 'dies'"],
  ['pc-i440fx-2.7', '6,cores=4', 'simvm: QEMU 2.7 would leave the last socket partly filled (6 CPUs in sockets of 4); simvm models whole sockets'],
  ['pc-i440fx-6.2', '8,sockets=3,cores=2', 'Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (3) * dies (1) * cores (2) * threads (1) != maxcpus (8)'],
  ['pc-i440fx-6.2', '8,clusters=2', "Invalid parameter 'clusters'"],
  ['pc-i440fx-6.2', '256', "Invalid SMP CPUs 256. The max CPUs supported by machine 'pc-i440fx-6.2' is 255"],
  ['pc-q35-7.2', '289', "Invalid SMP CPUs 289. The max CPUs supported by machine 'pc-q35-7.2' is 288"],
  ['pc-q35-7.0', '8,clusters=2', "clusters not supported by this machine's CPU topology"],
  ['pc-q35-8.2', '8,books=2', "books not supported by this machine's CPU topology"],
  ['pc-q35-8.2', '1025', "Invalid SMP CPUs 1025. The max CPUs supported by machine 'pc-q35-8.2' is 1024"],
  ['pc-q35-8.2', '8,modules=2', "Invalid parameter 'modules'"],
  ['pc-q35-9.0', '8,sockets=0', 'Invalid CPU topology: CPU topology parameters must be greater than zero'],
  ['pc-q35-9.0', '8,clusters=2', "clusters not supported by this machine's CPU topology"],
  ['pc-q35-9.1', '8,clusters=2', "clusters > 1 not supported by this machine's CPU topology"],
  [
    'pc-q35-9.2',
    '8,modules=3',
    'Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (1) * dies (1) * modules (3) * cores (2) * threads (1) != maxcpus (8)',
  ],
  [
    'pc-q35-9.2',
    '8,maxcpus=4',
    'Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * dies (1) * modules (1) * cores (4) * threads (1) == maxcpus (4) < smp_cpus (8)',
  ],
  ['pc-q35-10.1', '4097', "Invalid SMP CPUs 4097. The max CPUs supported by machine 'pc-q35-10.1' is 4096"],
];

describe('parseSmp per machine type: QEMU refuses', () => {
  it.each(INVALID)('%s -smp %j', (machine, text, message) => {
    let caught: unknown;
    try {
      smp(machine, text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SmpError);
    expect((caught as SmpError).message).toBe(message);
  });

  it('says when a key came in a later release', () => {
    try {
      smp('pc-i440fx-2.7', '8,dies=2');
    } catch (e) {
      expect((e as SmpError).hint).toMatch(/dies came in a later release/);
    }
  });
});
