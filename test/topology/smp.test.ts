import { describe, it, expect } from 'vitest';
import { SmpError, formatSmp, parseSmp, smpFromNumber, type SmpMachine } from '../../src/topology/smp.js';
import type { GuestTopology } from '../../src/topology/types.js';

function topo(cpus: number, maxcpus: number, sockets: number, dies: number, cores: number, threads: number): GuestTopology {
  return { cpus, maxcpus, sockets, dies, cores, threads };
}

/** [text, machine, expected] */
const VALID: [string, SmpMachine, GuestTopology][] = [
  // The chapter's four examples (QEMU 2.7: sockets are preferred).
  ['', 'legacy', topo(1, 1, 1, 1, 1, 1)],
  ['8', 'legacy', topo(8, 8, 8, 1, 1, 1)],
  ['8,sockets=2,cores=2,threads=2', 'legacy', topo(8, 8, 2, 1, 2, 2)],
  ['4,maxcpus=8', 'legacy', topo(4, 8, 8, 1, 1, 1)],
  // Filling in, machine types before 6.2: sockets first, then cores, then threads.
  ['cpus=4', 'legacy', topo(4, 4, 4, 1, 1, 1)],
  ['8,sockets=2', 'legacy', topo(8, 8, 2, 1, 4, 1)],
  ['8,cores=2', 'legacy', topo(8, 8, 4, 1, 2, 1)],
  ['8,threads=2', 'legacy', topo(8, 8, 4, 1, 1, 2)],
  ['8,sockets=2,cores=2', 'legacy', topo(8, 8, 2, 1, 2, 2)],
  ['8,dies=2', 'legacy', topo(8, 8, 4, 2, 1, 1)],
  ['maxcpus=8', 'legacy', topo(8, 8, 8, 1, 1, 1)],
  ['sockets=2,cores=2', 'legacy', topo(4, 4, 2, 1, 2, 1)],
  ['2,maxcpus=4,cores=2', 'legacy', topo(2, 4, 2, 1, 2, 1)],
  // 6.2 and later prefer cores.
  ['8', 'modern', topo(8, 8, 1, 1, 8, 1)],
  ['8,sockets=2', 'modern', topo(8, 8, 2, 1, 4, 1)],
  ['8,cores=2', 'modern', topo(8, 8, 4, 1, 2, 1)],
  ['8,threads=2', 'modern', topo(8, 8, 1, 1, 4, 2)],
  ['4,maxcpus=8', 'modern', topo(4, 8, 1, 1, 8, 1)],
  ['', 'modern', topo(1, 1, 1, 1, 1, 1)],
  // QemuOpts number syntax: base 0, last duplicate wins, levels of 1 are accepted.
  ['0x10', 'legacy', topo(16, 16, 16, 1, 1, 1)],
  ['010', 'legacy', topo(8, 8, 8, 1, 1, 1)],
  ['4,cpus=8', 'legacy', topo(8, 8, 8, 1, 1, 1)],
  ['8,', 'legacy', topo(8, 8, 8, 1, 1, 1)],
  ['4,modules=1,clusters=1', 'legacy', topo(4, 4, 4, 1, 1, 1)],
  ['255', 'legacy', topo(255, 255, 255, 1, 1, 1)],
];

describe('parseSmp: valid -smp strings', () => {
  it.each(VALID)('-smp %j (%s)', (text, machine, expected) => {
    expect(parseSmp(text, { machine })).toEqual(expected);
  });

  it('defaults to the legacy (prefer sockets) rule the chapter shows', () => {
    expect(parseSmp('8')).toEqual(topo(8, 8, 8, 1, 1, 1));
  });
});

/** [text, machine, message, hint matcher] */
const INVALID: [string, SmpMachine, string, RegExp | undefined][] = [
  [
    '8,sockets=2,cores=2,threads=1',
    'legacy',
    'Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (2) * dies (1) * cores (2) * threads (1) != maxcpus (8)',
    /must equal maxcpus \(8\)/,
  ],
  [
    '7,sockets=2',
    'legacy',
    'Invalid CPU topology: product of the hierarchy must match maxcpus: sockets (2) * dies (1) * cores (3) * threads (1) != maxcpus (7)',
    undefined,
  ],
  [
    '4,maxcpus=2',
    'legacy',
    'Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (2) * dies (1) * cores (1) * threads (1) == maxcpus (2) < smp_cpus (4)',
    /at least 4/,
  ],
  ['cpus=0', 'legacy', 'Invalid CPU topology: CPU topology parameters must be greater than zero', /cpus=0/],
  ['8,threads=0', 'modern', 'Invalid CPU topology: CPU topology parameters must be greater than zero', undefined],
  ['socket=2', 'legacy', "Invalid parameter 'socket'", /did you mean "sockets"\?/],
  ['8,core=2', 'legacy', "Invalid parameter 'core'", /did you mean "cores"\?/],
  ['8,id=a', 'legacy', "Invalid parameter 'id'", undefined],
  ['eight', 'legacy', "Parameter 'cpus' expects a number", undefined],
  ['cpus=', 'legacy', "Parameter 'cpus' expects a number", undefined],
  ['8,sockets', 'legacy', "Parameter 'sockets' expects a number", undefined],
  ['8,sockets=2x', 'legacy', "Parameter 'sockets' expects a number", undefined],
  ['99999999999999999999999', 'legacy', "Value '99999999999999999999999' is too large for parameter 'cpus'", undefined],
  ['8,clusters=2', 'legacy', "clusters > 1 not supported by this machine's CPU topology", undefined],
  ['256', 'legacy', "Invalid SMP CPUs 256. The max CPUs supported by machine 'pc-i440fx-6.1' is 255", undefined],
  ['8,maxcpus=300', 'modern', "Invalid SMP CPUs 300. The max CPUs supported by machine 'pc-i440fx-6.2' is 255", undefined],
];

describe('parseSmp: QEMU refuses', () => {
  it.each(INVALID)('-smp %j (%s)', (text, machine, message, hint) => {
    let caught: unknown;
    try {
      parseSmp(text, { machine });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SmpError);
    const err = caught as SmpError;
    expect(err.message).toBe(message);
    if (hint) expect(err.hint).toMatch(hint);
  });

  it('names the machine type it was given', () => {
    expect(() => parseSmp('300', { machineName: 'pc-q35-2.7', maxCpus: 288 })).toThrow(
      "Invalid SMP CPUs 300. The max CPUs supported by machine 'pc-q35-2.7' is 288",
    );
  });
});

describe('smpFromNumber', () => {
  it('is -smp N', () => {
    expect(smpFromNumber(4)).toEqual(parseSmp('4'));
    expect(smpFromNumber(4, { machine: 'modern' })).toEqual(topo(4, 4, 1, 1, 4, 1));
  });

  it('refuses what is not a whole number', () => {
    expect(() => smpFromNumber(2.5)).toThrow(SmpError);
    expect(() => smpFromNumber(0)).toThrow('Invalid CPU topology: CPU topology parameters must be greater than zero');
  });
});

describe('formatSmp', () => {
  it('gives the chapter spelling for its explicit example', () => {
    expect(formatSmp(parseSmp('8,sockets=2,cores=2,threads=2'))).toBe('8,sockets=2,cores=2,threads=2');
    expect(formatSmp(parseSmp('4,maxcpus=8'))).toBe('4,maxcpus=8,sockets=8,cores=1,threads=1');
    expect(formatSmp(parseSmp('16,dies=2,sockets=2,cores=2,threads=2'))).toBe('16,sockets=2,dies=2,cores=2,threads=2');
  });

  it.each(VALID)('round-trips %j (%s) under both machine rules', (text, machine) => {
    const t = parseSmp(text, { machine });
    expect(parseSmp(formatSmp(t), { machine: 'legacy' })).toEqual(t);
    expect(parseSmp(formatSmp(t), { machine: 'modern' })).toEqual(t);
  });
});
