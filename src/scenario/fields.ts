import { bool, dur, int, num, oneOf, type Field, type Fields } from '../util/params.js';
import { WORKLOADS } from '../workloads/index.js';
import { DEFAULT_CACHE, DEFAULT_EXIT_COSTS, DEFAULT_HOST_COSTS } from '../host/costs.js';
import { machineNames } from '../topology/machines.js';
import { KERNEL_PATTERN } from '../scheduler/kernels.js';

const cycles = (help: string, def: number) => ({ type: 'cycles' as const, help, default: def, min: 0 });

/**
 * Every field of a scenario, declared once. The validator, the JSON Schema
 * (schema/scenario.schema.json) and docs/scenario.md come from this table.
 */
export const SCENARIO = {
  name: { type: 'string', help: 'Name of the scenario (default: the file name without .yaml). Reports go to reports/<name>/.', pattern: /^[A-Za-z0-9._-]+$/, patternHelp: 'letters, digits, dot, dash and underscore' },
  description: { type: 'string', help: 'What the scenario shows, printed at the top of reports.', default: '' },
  seed: { type: 'int', help: 'Seed of every random stream of the run. Same scenario and seed: the same report, byte for byte.', default: 1, min: 0, max: 2 ** 32 - 1 },
  duration: dur('Simulated time measured, after the warm-up.', 10e9, 1),
  warmup: { type: 'duration', help: "Simulated time run before measuring (not counted in any figure). `auto`: a pilot run of the scenario's duration finds where the initial transient ends (MSER-5 on each guest's throughput) and the run measures from there.", default: 1e9, min: 0, auto: true },
  host: {
    type: 'object',
    help: 'The physical machine.',
    fields: {
      cpus: int('Logical CPUs, when no topology is given (one socket, one thread per core).', undefined, 1, 4096),
      from: { type: 'string', help: "A real host's /proc/cpuinfo or `lscpu -p` output saved to a file (relative to the scenario): its CPUs, sockets, cores, SMT siblings, NUMA nodes and MHz become the host's; from /proc/cpuinfo also its CPU (vendor, family/model/stepping, model name, flags) unless host.cpu is written." },
      topology: {
        type: 'object',
        help: 'Sockets x cores x threads. Overrides cpus.',
        fields: {
          sockets: int('CPU sockets.', 1, 1, 64),
          cores: int('Cores per socket.', 1, 1, 1024),
          threads: int('Hardware threads per core (SMT siblings).', 1, 1, 8),
          numa_nodes: int('NUMA nodes (sockets are split evenly between them).', 1, 1, 64),
        },
      },
      freq: { type: 'frequency', help: 'Core clock (and TSC) frequency.', default: 3e9, min: 1e6 },
      kernel: {
        type: 'string',
        help: 'The host Linux version (e.g. "3.10", "5.14", "6.8", "6.12", quoted: YAML reads 3.10 as 3.1). It picks the fair scheduler as that kernel has it: CFS before 6.6 (latency, min_granularity, wakeup_granularity), EEVDF from 6.6 (base_slice 0.75ms x factor, 0.70ms x factor from 6.15). host.scheduler.kind and the tunables still override. Without it: CFS, as the chapter\'s RHEL 7 (3.10) host.',
        pattern: KERNEL_PATTERN,
        patternHelp: 'a version as uname -r prints it, e.g. "6.8" or "5.14.0-427.el9"',
      },
      hz: int('Host timer tick rate (CONFIG_HZ). RHEL kernels use 1000.', 1000, 100, 10_000),
      smt_factor: num('Speed of each of two busy SMT siblings relative to one alone (0.6: two siblings together do 1.2x one core).', 0.6, 0.1, 1),
      cpu: { type: 'string', help: "The host's CPU model (a name from `simvm cpu-models`): its flags are what `-cpu host` passes through and what named guest models must fit. Default: the CPU of a /proc/cpuinfo host.from, else Skylake-Server.", default: 'Skylake-Server' },
      kthreads: bool('Model the per-CPU kernel threads (watchdog/N, migration/N, ksoftirqd/N, kworker/N:0, kworker/N:0H), bound to their CPUs.', true),
      background: {
        type: 'list',
        help: 'Other host processes (noisy neighbours), scheduled by the same host scheduler.',
        of: {
          type: 'object',
          help: 'One background process (or `count` identical ones).',
          required: ['name'],
          fields: {
            name: { type: 'string', help: 'Process name, as ps shows it.', pattern: /^[A-Za-z0-9_.-]+$/, patternHelp: 'letters, digits, dot, dash and underscore' },
            count: int('How many identical processes.', 1, 1, 10_000),
            kind: oneOf(['batch', 'periodic'], 'batch: always runnable (a CPU hog); periodic: wakes every `period` and works for `work`.', 'batch'),
            period: dur('Wake-up period of a periodic process.', 10_000_000, 1),
            work: dur('CPU work per wake-up of a periodic process.', 1_000_000),
            nice: int('Nice value (-20..19).', 0, -20, 19),
            cpus: { type: 'cpulist', help: 'CPU affinity (taskset list); default: every non-isolated CPU.' },
          },
        },
      },
      isolcpus: { type: 'cpulist', help: 'Kernel isolcpus=: CPUs that ordinary threads avoid and load balancing leaves alone.', default: [] },
      nohz_full: { type: 'cpulist', help: 'Kernel nohz_full=: CPUs whose tick stops while one task runs.', default: [] },
      scheduler: {
        type: 'object',
        help: 'The host scheduler and its tunables (defaults scale with 1+ilog2(min(cpus,8)) as in kernel/sched/fair.c).',
        fields: {
          kind: oneOf(
            ['cfs', 'eevdf', 'cosched-relaxed', 'cosched-strict'],
            "Scheduling class for every thread: cfs (Linux before 6.6: latency, min_granularity, wakeup_granularity) or eevdf (6.6 and later: base_slice); cosched-relaxed and cosched-strict add co-scheduling of each guest's vCPUs to CFS (VMware's relaxed and strict co-scheduling). Default: the one host.kernel has, else cfs.",
            'cfs',
          ),
          cosched_skew: dur('cosched-relaxed: skew (time a vCPU waited while its siblings progressed) beyond which its siblings are co-stopped (an assumption of the order VMware describes).', 3_000_000, 1),
          latency: dur('sched_latency (default 6ms x factor).', undefined, 1),
          min_granularity: dur('sched_min_granularity (default 0.75ms x factor).', undefined, 1),
          wakeup_granularity: dur('sched_wakeup_granularity (default 1ms x factor).', undefined, 0),
          base_slice: dur('EEVDF sched_base_slice, the request every thread gets before a deadline (default 0.75ms x factor, as in Linux 6.6-6.14; 6.15 uses 0.70ms x factor).', undefined, 1),
          migration_cost: dur('sched_migration_cost: a thread that ran this recently is cache-hot for balancing.', 500_000),
          balance_interval: dur('Periodic load-balance interval per CPU.', 4_000_000, 1),
        },
      },
      costs: {
        type: 'object',
        help: 'Costs of host kernel work and of each VM exit (cycles of the host TSC, round trip). Defaults and sources: shared calibration sheet, docs/model.md.',
        fields: {
          context_switch: dur('Direct cost of a context switch.', DEFAULT_HOST_COSTS.contextSwitchNs),
          tick: dur('Host tick handler time per tick on a busy CPU.', DEFAULT_HOST_COSTS.tickNs),
          vmcall: cycles('VMCALL round trip (Skylake-SP ~1,550).', DEFAULT_EXIT_COSTS.vmcallCycles),
          cpuid: cycles('CPUID exit (~1,100).', DEFAULT_EXIT_COSTS.cpuidCycles),
          io_kvm: cycles('Port I/O handled in KVM.', DEFAULT_EXIT_COSTS.ioKvmCycles),
          qemu_extra: cycles('Extra cost when an exit goes on to QEMU in user space.', DEFAULT_EXIT_COSTS.qemuExtraCycles),
          msr: cycles('MSR read/write exit.', DEFAULT_EXIT_COSTS.msrCycles),
          ipi: cycles('IPI send (x2APIC ICR write) with the target running.', DEFAULT_EXIT_COSTS.ipiCycles),
          tsc_deadline: cycles('TSC-deadline timer programming.', DEFAULT_EXIT_COSTS.tscDeadlineCycles),
          hlt: cycles('HLT exit before polling or blocking.', DEFAULT_EXIT_COSTS.hltCycles),
          external_interrupt: cycles('External-interrupt exit (host tick while in guest mode).', DEFAULT_EXIT_COSTS.externalInterruptCycles),
          ple: cycles('Pause-loop exit and the directed-yield scan.', DEFAULT_EXIT_COSTS.pleCycles),
          apic_access: cycles('IPI via the xAPIC MMIO page when the guest model lacks x2apic (assumed 2x the x2APIC IPI).', DEFAULT_EXIT_COSTS.apicAccessCycles),
        },
      },
      kvm: {
        type: 'object',
        help: 'KVM module parameters (kvm, kvm_intel).',
        fields: {
          ple: bool('Pause-loop exiting (on by default on Intel hosts).', true),
          ple_window: cycles('ple_window: cycles of PAUSE looping before an exit.', 4096),
          ple_window_grow: int('ple_window_grow: window multiplier per exit.', 2, 0),
          ple_window_max: cycles('ple_window_max.', 2 ** 31 - 1),
          halt_poll: dur('halt_poll_ns: most time KVM polls on HLT before blocking; 0 disables.', 200_000),
          halt_poll_grow_start: dur('halt_poll_ns_grow_start.', 10_000),
          posted_interrupts: bool('APICv posted interrupts: interrupts reach a running vCPU without an exit.', true),
        },
      },
      cache: {
        type: 'object',
        help: 'Cache-warmth model for threads that change CPU (docs/model.md).',
        fields: {
          private: { type: 'size', help: 'Private (L1+L2) working set of a vCPU thread.', default: DEFAULT_CACHE.privateBytes, min: 0 },
          llc: { type: 'size', help: 'LLC working set that follows a thread to another socket.', default: DEFAULT_CACHE.llcBytes, min: 0 },
          decay: dur('Time constant of warmth decay once a thread left a CPU.', DEFAULT_CACHE.decayNs, 1),
        },
      },
    },
  },
  guests: {
    type: 'list',
    min: 1,
    help: 'The virtual machines: each one QEMU process.',
    of: {
      type: 'object',
      help: 'One guest (or `count` identical ones).',
      required: ['name'],
      fields: {
        name: { type: 'string', help: 'Guest name; with count > 1 the copies are name-1, name-2, ...', pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, patternHelp: 'letters, digits, dot, dash and underscore' },
        count: int('How many identical guests.', 1, 1, 10_000),
        libvirt: { type: 'string', help: "A libvirt domain XML file (what `virsh dumpxml` prints), relative to the scenario: its name, vCPUs, topology, CPU model, pinning and memory become this guest's; fields written beside it override them. `simvm import libvirt` shows what it maps and warns about what it does not model." },
        machine: oneOf(
          machineNames(),
          "QEMU's -machine: pc / q35 (the newest modelled i440fx / q35) or a versioned pc-i440fx-X.Y / pc-q35-X.Y, standing for QEMU X.Y with that machine type. It decides the -smp fill-in rule (sockets first before 6.2, cores first from 6.2), the -smp keys, messages and max CPUs, the `info cpus` format, the CPU models that exist, and device_add's checks. Without it simvm keeps its earlier rules: sockets first and `info cpus` as QEMU 2.7, -smp messages as QEMU 9.1 and later (README, \"Which QEMU and which Linux\").",
        ),
        smp: { type: 'smp', help: "QEMU's -smp: [cpus=]n[,maxcpus=m][,sockets=s][,dies=d][,cores=c][,threads=t], or a number. Default 1." },
        cpu: { type: 'string', help: "QEMU's -cpu: a model name with optional +feature/-feature (e.g. `Skylake-Server,-hle,+pcid`). Default qemu64.", default: 'qemu64' },
        pin: { type: 'list', of: { type: 'cpulist', help: 'Host CPUs of one vCPU.' }, help: 'vCPU pinning, libvirt vcpupin style: one CPU list per vCPU (vCPU i gets item i; the last item repeats).' },
        emulator_pin: { type: 'cpulist', help: "Host CPUs of the QEMU main-loop and helper threads (libvirt emulatorpin)." },
        memory: { type: 'size', help: 'Guest RAM (shown on the QEMU command line).', default: 1024 ** 3, min: 1 },
        haltpoll: dur("The guest kernel's cpuidle-haltpoll driver: poll in guest mode up to this long before HLT (guest_halt_poll_ns, 200us when enabled); 0s is the default HLT idle.", 0),
        on_fault: oneOf(['stop', 'continue'], 'When a vCPU faults: stop the run, or go on without that vCPU.', 'continue'),
        workload: {
          type: 'variant',
          tag: 'kind',
          default: 'idle',
          help: 'What the guest runs on every vCPU.',
          variants: Object.fromEntries(Object.entries(WORKLOADS).map(([k, w]) => [k, w.params])),
        },
      },
    },
  },
  migration: {
    type: 'object',
    help: 'Hosts a guest may migrate between, for `simvm migrate-check`.',
    fields: {
      hosts: {
        type: 'list',
        help: 'The hosts of the migration group.',
        of: {
          type: 'object',
          help: 'One host.',
          required: ['name', 'cpu'],
          fields: {
            name: { type: 'string', help: 'Host name.' },
            cpu: { type: 'string', help: "The host's CPU model (a catalogue name)." },
          },
        },
      },
    },
  },
  timeline: {
    type: 'list',
    help: 'Commands at simulated times: QEMU monitor commands (`monitor:` with `guest:`) and host commands (`host:`).',
    of: {
      type: 'object',
      help: 'One command.',
      required: ['at'],
      fields: {
        at: dur('When the command runs (simulated time from the start, warm-up included).', undefined, 0),
        guest: { type: 'string', help: 'Guest whose QEMU monitor receives a `monitor:` command.' },
        monitor: { type: 'string', help: 'QEMU monitor command: `cpu-add ID`, or `device_add <cpu type>,id=NAME,socket-id=S,core-id=C,thread-id=T`.' },
        host: { type: 'string', help: 'Host shell command: `taskset -pc LIST TARGET` or `taskset -apc LIST TARGET` (TARGET a pid/lwp or a name like web/vcpu1, web/main or web), or `chcpu -d LIST` / `chcpu -e LIST` to take host CPUs offline and back.' },
      },
    },
  },
  report: {
    type: 'object',
    help: 'What to report.',
    fields: {
      percentiles: { type: 'list', of: num('A percentile, 0-100.', undefined, 0, 100), help: 'Latency percentiles to report.' },
      per_vcpu: bool('Print the per-vCPU table in the terminal report.', true),
      sample_interval: dur('Interval of the time series in reports (default: 1/100 of the duration, at least 1ms).', undefined, 100_000),
    },
  },
  sweep: { type: 'any', help: 'Parameters to vary, read by `simvm sweep` (README, "Sweeps"); a plain run ignores it.' },
  expect: { type: 'any', help: 'Assertions on the results, checked by `simvm sweep` (README, "Sweeps"); a plain run ignores them.' },
} satisfies Fields;

export const DEFAULT_PERCENTILES = [50, 90, 99, 99.9];
