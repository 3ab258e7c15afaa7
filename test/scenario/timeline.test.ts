import { describe, expect, it } from 'vitest';
import { parseHost, parseMonitor } from '../../src/scenario/timeline.js';

const guest = { name: 'web', cpus: 2, maxcpus: 8, threads: 1, sockets: 8, dies: 1, cores: 1 };

describe('timeline: QEMU monitor commands', () => {
  it('cpu-add and device_add name the same CPU index', () => {
    const present = new Set([0, 1]);
    expect(parseMonitor('cpu-add 5', guest, present, 1000)).toEqual({ kind: 'cpu-add', at: 1000, guest: 'web', index: 5, text: 'cpu-add 5' });
    const r = parseMonitor('device_add qemu64-x86_64-cpu,id=cpu7,socket-id=7,core-id=0,thread-id=0', guest, present, 2000);
    expect(r).toMatchObject({ kind: 'cpu-add', index: 7 });
    expect(present).toEqual(new Set([0, 1, 5, 7]));
  });

  it('answers as QEMU does for a CPU beyond maxcpus or already there', () => {
    expect(parseMonitor('cpu-add 8', guest, new Set([0, 1]), 0)).toMatchObject({ message: 'Unable to add CPU: 8, max allowed: 7' });
    expect(parseMonitor('cpu-add 1', guest, new Set([0, 1]), 0)).toMatchObject({ message: 'Unable to add CPU: 1, it already exists' });
    expect(parseMonitor('cpu-ad 3', guest, new Set([0]), 0)).toMatchObject({ hint: 'did you mean "cpu-add"?' });
  });
});

describe('timeline: host commands', () => {
  it('parses taskset with and without -a', () => {
    expect(parseHost('taskset -pc 2-3 web/vcpu1', 4, 0)).toEqual({ kind: 'taskset', at: 0, cpus: [2, 3], all: false, target: 'web/vcpu1', text: 'taskset -pc 2-3 web/vcpu1' });
    expect(parseHost('taskset -apc 1 2000', 4, 0)).toMatchObject({ all: true, target: '2000' });
    expect(parseHost('taskset -pc 4 web', 4, 0)).toMatchObject({ message: 'taskset: host CPU 4 does not exist (the host has CPUs 0-3)' });
  });

  it('tracks offline CPUs across chcpu commands and keeps the boot CPU', () => {
    const offline = new Set<number>();
    expect(parseHost('chcpu -d 2-3', 4, 0, offline)).toMatchObject({ kind: 'chcpu', enable: false, cpus: [2, 3] });
    expect(offline).toEqual(new Set([2, 3]));
    expect(parseHost('chcpu -e 3', 4, 0, offline)).toMatchObject({ enable: true });
    expect(offline).toEqual(new Set([2]));
    expect(parseHost('chcpu -d 0', 4, 0, offline)).toMatchObject({ message: 'chcpu: CPU 0 disable failed (Operation not permitted)' });
  });
});
