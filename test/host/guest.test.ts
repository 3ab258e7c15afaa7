import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { buildSimulation } from '../../src/sim/build.js';

const text = `duration: 10ms
warmup: 1ms
host: { cpus: 4 }
guests:
  - name: web
    smp: "2,maxcpus=8"
    workload:
      kind: program
      source: |
        .data kvm_steal_time 64
        .data word 1
        loop:
          work 1000
          count ops
          sample wait, r1
          jmp loop
`;

function guest() {
  const sim = buildSimulation(parseScenario(text, 'guest.yaml'));
  return { sim, g: sim.guests[0] };
}

describe('guest (QEMU process)', () => {
  it('has a main loop, call_rcu and one thread per vCPU, numbered from its pid', () => {
    const { g } = guest();
    const tids = [g.mainThread, ...g.auxThreads, ...g.onlineVcpus().map((v) => v.thread)].map((t) => t.tid);
    expect(tids).toEqual([g.spec.pid, g.spec.pid + 1, g.spec.pid + 2, g.spec.pid + 3]);
    expect(g.onlineVcpus().map((v) => v.thread.name)).toEqual(['web/vcpu0', 'web/vcpu1']);
  });

  it('numbers hot-plugged CPUs in the order they come online, not by QEMU index', () => {
    const { g } = guest();
    g.addVcpu(7);
    g.addVcpu(5);
    expect(g.onlineVcpus().map((v) => v.index)).toEqual([0, 1, 7, 5]);
    expect(g.vcpuByCpuNo(2)?.index).toBe(7);
    expect(g.vcpuByCpuNo(3)?.index).toBe(5);
    expect(g.online()).toBe(4);
  });

  it('counts and samples only after the warm-up; sampled cycles become ns at the host clock', () => {
    const { g } = guest();
    const [ops, wait] = [g.program.probes.indexOf('ops'), g.program.probes.indexOf('wait')];
    g.probe(ops, 1, 500_000);
    g.probe(wait, 3000, 500_000);
    expect(g.counters.get('ops')).toBeUndefined();
    g.probe(ops, 1, 1_000_000);
    g.probe(ops, 2, 2_000_000);
    g.probe(wait, 3000, 2_000_000);
    expect(g.counters.get('ops')).toBe(3);
    const h = g.histograms.get('wait')!;
    expect(h.n).toBe(1);
    expect(h.mean()).toBeCloseTo(1000, -1); // 3000 cycles at 3 GHz
  });

  it('keeps watchers of a word in start order, wakes them on a store, and marks preempted vCPUs in the steal-time area', () => {
    const { g } = guest();
    const [v0, v1] = g.onlineVcpus();
    const word = g.program.data.get('word')!.addr;
    const woken: number[] = [];
    v0.spinWake = () => void woken.push(0);
    v1.spinWake = () => void woken.push(1);
    g.watch(word, v1);
    g.watch(word, v0);
    g.watch(word, v1);
    g.storing(word, 10, null);
    expect(woken).toEqual([1, 0]);
    // A vCPU's own store does not wake it, and it stays watching.
    g.watch(word, v0);
    g.watch(word, v1);
    woken.length = 0;
    g.storing(word, 20, v0);
    expect(woken).toEqual([1]);
    const area = g.program.data.get('kvm_steal_time')!.addr;
    g.setPreempted(v1, true, 30);
    expect(g.mem[area + 8]).toBe(1);
    g.setPreempted(v1, false, 40);
    expect(g.mem[area + 8]).toBe(0);
  });
});
