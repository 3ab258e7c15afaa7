import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario, runTo } from '../../src/sim/run.js';
import { renderView } from '../../src/sim/inspect.js';
import { cli, ROOT } from '../helpers.js';

// Seed §2.3: what the guest sees for each -smp example, rendered from the
// simulated state (the views' own formats are tested in test/views).
function guestWith(smp: string, extra = '', machine = 'pc-i440fx-2.7') {
  const text = `duration: 100ms
warmup: 0s
host: { cpus: 8, freq: 2194.98MHz }
guests:
  - name: rhel7
    machine: ${machine}
${smp ? `    smp: "${smp}"\n` : ''}    workload: { kind: idle }
${extra}`;
  return parseScenario(text, 'smp.yaml');
}

describe('seed §2.3: -smp examples seen from inside the guest', () => {
  it('no -smp: one CPU, cpu0 only', () => {
    const sim = runTo(guestWith(''), 50e6);
    expect(renderView(sim, 'cpuinfo')).toMatch(/^processor\t: 0$/m);
    expect(renderView(sim, 'cpuinfo').match(/^processor/gm)).toHaveLength(1);
    expect(renderView(sim, 'info-cpus')).toMatch(/^\* CPU #0: pc=0xffffffff81060eb6 \(halted\) thread_id=\d+\n$/);
    expect(renderView(sim, 'ls-cpu')).toMatch(/^cpu0 +cpuidle/);
  });

  it('-smp 8: 8 physical CPUs of one core each, no hyper-threading', () => {
    const sim = runTo(guestWith('8'), 50e6);
    expect(renderView(sim, 'cpu-info.sh')).toBe(
      'logical CPU number in total: 8\nphysical CPU number in total: 8\ncore number in a physical CPU: 1\nlogical CPU number in a physical CPU: 1\nHyper threading is NOT enabled.\n',
    );
    const info = renderView(sim, 'info-cpus').trim().split('\n');
    expect(info).toHaveLength(8);
    expect(info[0]).toMatch(/^\* CPU #0: .*\(halted\) thread_id=/);
    expect(info[7]).toMatch(/^ {2}CPU #7: /);
  });

  it('-smp 8,sockets=2,cores=2,threads=2: 2 sockets, 2 cores each, 2 threads per core', () => {
    const sim = runTo(guestWith('8,sockets=2,cores=2,threads=2'), 50e6);
    expect(renderView(sim, 'cpu-info.sh')).toBe(
      'logical CPU number in total: 8\nphysical CPU number in total: 2\ncore number in a physical CPU: 2\nlogical CPU number in a physical CPU: 4\nHyper threading is enabled. Each core has 2 threads.\n',
    );
    const lscpu = renderView(sim, 'lscpu');
    expect(lscpu).toMatch(/^Thread\(s\) per core: +2$/m);
    expect(lscpu).toMatch(/^Socket\(s\): +2$/m);
  });

  it('-smp 4,maxcpus=8 then cpu-add 7: QEMU shows CPU #7, the guest numbers it cpu4', () => {
    const s = guestWith('4,maxcpus=8', 'timeline:\n  - { at: 50ms, guest: rhel7, monitor: cpu-add 7 }\n');
    const before = runTo(s, 40e6);
    expect(renderView(before, 'cpu-info.sh')).toMatch(/^logical CPU number in total: 4$/m);
    expect(renderView(before, 'lscpu')).toMatch(/^On-line CPU\(s\) list: +0-3$/m);
    const after = runTo(s, 60e6);
    const info = renderView(after, 'info-cpus').trim().split('\n');
    expect(info.map((l) => /CPU #(\d+)/.exec(l)![1])).toEqual(['0', '1', '2', '3', '7']);
    const tids = info.map((l) => Number(/thread_id=(\d+)/.exec(l)![1]));
    expect(tids[4]).toBeGreaterThan(Math.max(...tids.slice(0, 4)));
    expect(renderView(after, 'lscpu')).toMatch(/^CPU\(s\): +5$/m);
    expect(renderView(after, 'lscpu')).toMatch(/^On-line CPU\(s\) list: +0-4$/m);
    expect(renderView(after, 'ls-cpu')).toMatch(/cpu4 +cpuidle/);
    expect(renderView(after, 'ls-cpu')).not.toMatch(/cpu5|cpu7/);
    expect(renderView(after, 'cpu-info.sh')).toMatch(/^logical CPU number in total: 5$/m);
  });

  it('cpu-add 7 then cpu-add 5: the guest numbers them cpu4 and cpu5, and interrupts for each reach it', () => {
    // Each guest CPU serves its own request ring; a request is signalled to
    // the vCPU with that guest CPU number. Numbered by QEMU index instead,
    // cpu4's requests would wake #5 (cpu5) and never be served.
    const text = `duration: 200ms
warmup: 0s
host: { cpus: 8 }
guests:
  - name: web
    smp: "4,maxcpus=8"
    workload: { kind: request, rate: 40k/s, service: 20us }
timeline:
  - { at: 20ms, guest: web, monitor: cpu-add 7 }
  - { at: 30ms, guest: web, monitor: cpu-add 5 }
`;
    const s = parseScenario(text, 'h.yaml');
    const sim = runTo(s, 40e6);
    expect(sim.guests[0].onlineVcpus().map((v) => [v.index, v.cpuNo])).toEqual([[0, 0], [1, 1], [2, 2], [3, 3], [7, 4], [5, 5]]);
    // What interrupts, IPIs and kicks for guest CPU n look up.
    expect([4, 5].map((n) => sim.guests[0].vcpuByCpuNo(n)!.index)).toEqual([7, 5]);
    expect(renderView(sim, 'info-cpus').trim().split('\n').map((l) => /CPU #(\d+)/.exec(l)![1])).toEqual(['0', '1', '2', '3', '5', '7']);
    const { results } = runScenario(s, { check: true });
    const c = results.guests[0].counters;
    expect(c.dropped ?? 0).toBe(0);
    expect(c.in_flight).toBeLessThan(20);
    expect(c.completed).toBeGreaterThan(0.95 * c.issued);
    for (const v of results.guests[0].vcpu) expect(v.exits.IO_INSTRUCTION ?? 0, `cpu${v.cpu}`).toBeGreaterThan(0);
  });

  it('the guest CPU model shows in /proc/cpuinfo (seed §4.3, Broadwell)', () => {
    const sim = runTo(guestWith('1', '').guests ? parseScenario(`duration: 10ms\nhost: { cpus: 2, cpu: Broadwell }\nguests:\n  - { name: g, cpu: Broadwell, workload: { kind: idle } }\n`, 'b.yaml') : guestWith(''), 5e6);
    const info = renderView(sim, 'cpuinfo');
    expect(info).toMatch(/^vendor_id\t: GenuineIntel$/m);
    expect(info).toMatch(/^model\t\t: 61$/m);
    expect(info).toMatch(/^model name\t: Intel Core Processor \(Broadwell\)$/m);
    expect(info).toMatch(/^flags\t\t: .* avx2 .*$/m);
  });
});

describe('hot-plug scenario', () => {
  it('throughput rises when the new vCPU joins', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-'));
    const r = cli(['scenarios/hotplug.yaml', '--out', d, '-q'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
    const tp: number[] = j.series.guests[0].throughput;
    const t: number[] = j.series.t_ns;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const before = mean(tp.filter((_, i) => t[i] <= 2e9));
    const after = mean(tp.filter((_, i) => t[i] > 2.1e9));
    expect(after / before).toBeGreaterThan(1.2);
    expect(after / before).toBeLessThan(1.3);
    expect(j.timeline[0].effect).toMatch(/CPU #7 added .* cpu4, 5 CPUs online/);
    expect(j.guests[0].vcpus).toBe(5);
  });
});

describe('timeline errors are scenario errors with their position', () => {
  const base = `host: { cpus: 4 }
guests:
  - name: web
    smp: "4,maxcpus=8"
    workload: { kind: idle }
timeline:
`;
  const err = (line: string) => {
    try {
      parseScenario(base + line, 't.yaml');
    } catch (e) {
      return (e as { format(): string }).format();
    }
    return 'no error';
  };
  it('a CPU id beyond maxcpus, with QEMU\'s message', () => {
    expect(err('  - { at: 1s, guest: web, monitor: cpu-add 8 }\n')).toMatch(/simvm: error: .*t\.yaml:7:\d+: timeline\[0\]: Unable to add CPU: 8, max allowed: 7/);
  });
  it('a CPU that is already there', () => {
    expect(err('  - { at: 1s, guest: web, monitor: cpu-add 3 }\n')).toMatch(/Unable to add CPU: 3, it already exists/);
    expect(err('  - { at: 1s, guest: web, monitor: cpu-add 5 }\n  - { at: 2s, guest: web, monitor: cpu-add 5 }\n')).toMatch(/t\.yaml:8:.*Unable to add CPU: 5, it already exists/);
  });
  it('an unknown guest or thread, with a hint', () => {
    expect(err('  - { at: 1s, guest: wbe, monitor: cpu-add 5 }\n')).toMatch(/no guest named "wbe"[\s\S]*did you mean "web"/);
    expect(err('  - { at: 1s, host: taskset -pc 1 web/vcpu6 }\n')).toMatch(/guest web has no vCPU 6/);
    expect(err('  - { at: 1s, host: taskset -pc 9 web }\n')).toMatch(/host CPU 9 does not exist/);
    expect(err('  - { at: 1s, host: tasket -pc 1 web }\n')).toMatch(/did you mean "taskset"/);
  });
  it('a negative time', () => {
    expect(err('  - { at: -1s, host: taskset -pc 1 web }\n')).toMatch(/simvm: error: .*t\.yaml:7:\d+: timeline\[0\]\.at: a time cannot be negative/);
  });
});

describe('a host read from a real machine\'s saved lscpu -p', () => {
  it('takes its CPUs, sockets, cores and SMT siblings', () => {
    const s = parseScenario(`duration: 10ms\nhost: { from: fixtures/host-lscpu-p.txt }\nguests:\n  - { name: vm, workload: { kind: idle } }\n`, `${ROOT}test/scenario-host.yaml`);
    const sim = runTo(s, 5e6);
    expect(sim.host.ncpus).toBe(8);
    expect(sim.host.cpus[4].siblings).toEqual([0]);
    expect(sim.host.cpus[2].place.socket).toBe(1);
    expect(renderView(sim, 'host-cpu-info.sh')).toBe(
      'logical CPU number in total: 8\nphysical CPU number in total: 2\ncore number in a physical CPU: 2\nlogical CPU number in a physical CPU: 4\nHyper threading is enabled. Each core has 2 threads.\n',
    );
  });
  it('reports an unreadable or malformed file at host.from', () => {
    expect(() => parseScenario(`host: { from: nope.txt }\nguests:\n  - { name: vm, workload: { kind: idle } }\n`, `${ROOT}test/x.yaml`)).toThrow(/host\.from: cannot read "nope\.txt"/);
  });
});

describe('a host CPU going offline (chcpu -d) and back (chcpu -e)', () => {
  const text = `duration: 300ms
warmup: 0s
host: { cpus: 4 }
guests:
  - { name: vm, smp: 4, pin: ["0", "1", "2", "3"], workload: { kind: cpu, chunk: 100us } }
timeline:
  - { at: 100ms, host: chcpu -d 3 }
  - { at: 200ms, host: chcpu -e 3 }
report: { sample_interval: 20ms }
`;
  it('moves its threads away (widening a pinned thread\'s affinity) and takes them back', () => {
    const { results } = runScenario(parseScenario(text, 'off.yaml'), { check: true });
    const tp = results.series!.guests[0].throughput;
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const before = mean(tp.slice(0, 4));
    const during = mean(tp.slice(5, 9));
    const after = mean(tp.slice(11));
    expect(during / before).toBeGreaterThan(0.7);
    expect(during / before).toBeLessThan(0.8);
    expect(after / before).toBeGreaterThan(0.97);
    expect(results.timeline![0].effect).toMatch(/process \d+ \(vm\/vcpu3\) no longer affine to cpu3\nCPU 3 disabled/);
  });
  it('shows in the host\'s lscpu, and the boot CPU cannot go', () => {
    const sim = runTo(parseScenario(text, 'off.yaml'), 150e6);
    expect(renderView(sim, 'host-lscpu')).toMatch(/^On-line CPU\(s\) list: +0-2$/m);
    expect(() => parseScenario(text.replace('chcpu -d 3', 'chcpu -d 0'), 'off.yaml')).toThrow(/CPU 0 disable failed/);
  });
});

describe('machine: the same guest on the chapter\'s QEMU 2.7 and on current machine types', () => {
  it('-smp 8 on q35 (QEMU 6.2 and later): one socket of 8 cores', () => {
    const sim = runTo(guestWith('8', '', 'q35'), 50e6);
    expect(renderView(sim, 'cpu-info.sh')).toBe(
      'logical CPU number in total: 8\nphysical CPU number in total: 1\ncore number in a physical CPU: 8\nlogical CPU number in a physical CPU: 8\nHyper threading is NOT enabled.\n',
    );
    expect(renderView(sim, 'lscpu')).toMatch(/^Core\(s\) per socket: +8$/m);
    expect(renderView(sim, 'lscpu')).toMatch(/^Socket\(s\): +1$/m);
  });

  /** [machine, the first line of info cpus] */
  const INFO: [string, RegExp][] = [
    ['pc-i440fx-2.7', /^\* CPU #0: pc=0xffffffff81060eb6 \(halted\) thread_id=\d+$/],
    ['pc-q35-6.2', /^\* CPU #0: thread_id=\d+$/],
    ['pc-q35-10.0', /^\* CPU #0: thread_id=\d+$/],
    ['pc-q35-10.1', /^\* CPU #0: thread_id=\d+ model=qemu64$/],
  ];
  it.each(INFO)('info cpus on %s', (machine, first) => {
    const sim = runTo(guestWith('2', '', machine), 50e6);
    const lines = renderView(sim, 'info-cpus').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(first);
  });

  it('info cpus of 10.1 names the -cpu model without its feature list', () => {
    const s = parseScenario(
      `duration: 10ms\nhost: { cpus: 2 }\nguests:\n  - { name: g, machine: pc-q35-10.1, cpu: "Skylake-Server,-hle", workload: { kind: idle } }\n`,
      'm.yaml',
    );
    expect(renderView(runTo(s, 5e6), 'info-cpus')).toMatch(/^\* CPU #0: thread_id=\d+ model=Skylake-Server\n$/);
  });
});

describe('device_add of a CPU checks each id against the topology (QEMU pc_cpu_pre_plug)', () => {
  const hot = (add: string, machine = 'pc-q35-9.2') =>
    guestWith('4,sockets=2,cores=4,threads=1,maxcpus=8', `timeline:\n  - { at: 50ms, guest: rhel7, monitor: "device_add qemu64-x86_64-cpu,id=c,${add}" }\n`, machine);
  /** [ids, QEMU's message] */
  const BAD: [string, RegExp][] = [
    ['socket-id=1,core-id=5,thread-id=0', /Invalid CPU core-id: 5 must be in range 0:3/],
    ['socket-id=2,core-id=0,thread-id=0', /Invalid CPU socket-id: 2 must be in range 0:1/],
    ['socket-id=1,core-id=0,thread-id=1', /Invalid CPU thread-id: 1 must be in range 0:0/],
    ['socket-id=1,die-id=1,core-id=0,thread-id=0', /Invalid CPU die-id: 1 must be in range 0:0/],
    ['socket-id=1,thread-id=0', /CPU core-id is not set/],
  ];
  it.each(BAD)('%s', (ids, message) => {
    expect(() => hot(ids)).toThrow(message);
  });

  it('the same check without a machine type', () => {
    expect(() => parseScenario(`duration: 10ms\nhost: { cpus: 2 }\nguests:\n  - { name: g, smp: "2,maxcpus=4,sockets=1,cores=4", workload: { kind: idle } }\ntimeline:\n  - { at: 5ms, guest: g, monitor: "device_add qemu64-x86_64-cpu,id=c,socket-id=0,core-id=4,thread-id=0" }\n`, 'd.yaml')).toThrow(
      /Invalid CPU core-id: 4 must be in range 0:3/,
    );
  });

  it('a place in range adds that CPU', () => {
    const sim = runTo(hot('socket-id=1,core-id=2,thread-id=0'), 80e6);
    expect(renderView(sim, 'info-cpus')).toMatch(/^ {2}CPU #6: thread_id=\d+$/m);
  });
});

describe('CPU identity per machine type: qemu64 and two named models', () => {
  const cpuinfoOf = (machine: string, cpu: string) =>
    renderView(
      runTo(parseScenario(`duration: 10ms\nhost: { cpus: 2 }\nguests:\n  - { name: g, machine: ${machine}, cpu: "${cpu}", workload: { kind: idle } }\n`, 'id.yaml'), 5e6),
      'cpuinfo',
    );
  const field = (text: string, key: string) => new RegExp(`^${key}\\t*: (.*)$`, 'm').exec(text)?.[1];
  /** [machine, -cpu, family, model, stepping, model name] */
  const IDS: [string, string, string, string, string, string][] = [
    ['pc-i440fx-2.7', 'qemu64', '6', '6', '3', 'QEMU Virtual CPU version 2.5+'],
    ['pc-q35-6.2', 'qemu64', '15', '107', '1', 'QEMU Virtual CPU version 2.5+'],
    ['pc-q35-9.2', 'qemu64', '15', '107', '1', 'QEMU Virtual CPU version 2.5+'],
    ['pc-q35-9.2', 'qemu64,family=6,model=6,stepping=3', '6', '6', '3', 'QEMU Virtual CPU version 2.5+'],
    ['pc-i440fx-2.7', 'Broadwell', '6', '61', '2', 'Intel Core Processor (Broadwell)'],
    ['pc-q35-9.2', 'Broadwell', '6', '61', '2', 'Intel Core Processor (Broadwell)'],
    ['pc-i440fx-2.7', 'Skylake-Server', '6', '85', '4', 'Intel Xeon Processor (Skylake)'],
    ['pc-q35-10.1', 'Skylake-Server', '6', '85', '4', 'Intel Xeon Processor (Skylake)'],
  ];
  it.each(IDS)('%s -cpu %s: family %s model %s stepping %s', (machine, cpu, family, model, stepping, name) => {
    const info = cpuinfoOf(machine, cpu);
    expect(field(info, 'cpu family')).toBe(family);
    expect(field(info, 'model')).toBe(model);
    expect(field(info, 'stepping')).toBe(stepping);
    expect(field(info, 'model name')).toBe(name);
  });
});
