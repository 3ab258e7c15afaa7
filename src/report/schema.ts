/**
 * JSON Schema (draft 2020-12) of report.json, published as
 * schema/report.schema.json. It mirrors the `Results` type in results.ts;
 * objects are closed (additionalProperties: false), so a field added to one
 * and not the other fails the test that validates every shipped scenario's
 * report against the published file.
 */
import { EXIT_REASONS } from '../host/costs.js';
import { CPU_ACC_NAMES } from '../host/host.js';
import { REPORT_VERSION } from './results.js';

type Schema = Record<string, unknown>;

const int = (description: string, minimum: number | undefined = 0): Schema => (minimum === undefined ? { type: 'integer', description } : { type: 'integer', minimum, description });
const num = (description: string, minimum: number | undefined = 0): Schema => (minimum === undefined ? { type: 'number', description } : { type: 'number', minimum, description });
const str = (description: string): Schema => ({ type: 'string', description });
const fraction = (description: string): Schema => ({ type: 'number', minimum: 0, maximum: 1, description });
const obj = (description: string, properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  description,
  properties,
  required,
  additionalProperties: false,
});
const arr = (description: string, items: Schema): Schema => ({ type: 'array', description, items });
const record = (description: string, values: Schema): Schema => ({ type: 'object', description, additionalProperties: values });

const threadTimes = (what: string) =>
  obj(`Where ${what}'s time went in the measured run, ns.`, {
    guest: int('Running guest code, ns.'),
    kvm: int('Running in the host kernel (KVM) handling exits, ns.'),
    qemu: int('Running in QEMU in host user space, ns.'),
    host: int('Running as an ordinary host task, ns.'),
    steal: int('Runnable but waiting on a host run queue (the guest sees it as steal time), ns.'),
    halted: int('Asleep (for a vCPU: halted), ns.'),
  });

const exitCounts = (what: string) =>
  obj(
    `VM exits of ${what} by KVM exit reason (VMX basic exit reason names).`,
    Object.fromEntries(EXIT_REASONS.map((r) => [r, int(`${r} exits.`)])),
  );

/** A figure's 95 % confidence interval, or null where the run is too short to give one. */
const ci95 = (what: string, bounds: Schema): Schema => ({
  description: `95 % confidence interval of ${what} (Law & Kelton's batch means; percentiles by sectioning); null when the measured run has too few sampling windows.`,
  oneOf: [
    { type: 'null' },
    obj('Bounds of the interval.', { low: bounds, high: bounds, batches: int('Batches (or sections) the interval comes from.', 1), correlated: { const: true, description: 'The batch means were still correlated at the largest batch size: the interval is too narrow.' } }, ['low', 'high', 'batches']),
  ],
});

const latency = obj('Latency of one operation kind.', {
  count: int('Operations measured.'),
  mean_ns: num('Mean, ns.'),
  min_ns: num('Smallest, ns.'),
  max_ns: num('Largest, ns.'),
  percentiles_ns: {
    type: 'object',
    description: 'Latency at each reported percentile (keys p50, p99.9, ...), ns.',
    propertyNames: { pattern: '^p[0-9]+(\\.[0-9]+)?$' },
    additionalProperties: num('Latency at this percentile, ns.'),
  },
  cdf: {
    ...arr('The measured distribution (empirical CDF): one point per histogram bucket, thinned evenly to at most 200, in increasing latency.', obj('One point of the CDF.', { value_ns: num('Latency (the bucket\'s representative value), ns.'), p: num('Fraction of operations at or below it (0..1).') }, ['value_ns', 'p'])),
    maxItems: 200,
  },
  percentiles_ci95_ns: {
    type: 'object',
    description: '95 % interval of each percentile, by the same keys, ns.',
    propertyNames: { pattern: '^p[0-9]+(\\.[0-9]+)?$' },
    additionalProperties: ci95('the percentile', num('Bound, ns.')),
  },
}, ['count', 'mean_ns', 'min_ns', 'max_ns', 'percentiles_ns']);

const vcpu = obj('One online vCPU of a guest.', {
  cpu: int('CPU number inside the guest (cpuN).'),
  qemu_index: int('QEMU CPU index (#N in `info cpus`, the id of cpu-add).'),
  tid: int('Host thread id of the vCPU thread.'),
  time_ns: threadTimes('the vCPU thread'),
  exits: exitCounts('this vCPU'),
  instructions: int('Guest instructions executed.'),
  context_switches: int('Times the thread was switched in.'),
  preemptions: int('Involuntary context switches.'),
  migrations: int('Moves to another pCPU.'),
  cache_refill_ns: int('Time lost refilling caches after moves, ns.'),
  costop_ns: int('Time co-stopped by co-scheduling (part of steal), ns.'),
  spin_ns: int('Time spent spinning on locks in guest code, ns.'),
  ple_exits: int('Pause-loop exits.'),
  directed_yields: int('Directed yields to another vCPU after a pause-loop exit.'),
  halts: int('HLT instructions that halted the vCPU.'),
  halt_poll: obj('KVM halt-polling outcomes.', {
    hits: int('Polls that saw a wake-up.'),
    misses: int('Polls that timed out and blocked.'),
    poll_ns: int('Time spent polling, ns.'),
  }),
  guest_halt_poll: obj("The guest's haltpoll idle driver: polling in guest mode before HLT.", {
    hits: int('Polls ended by an interrupt, without a HLT exit.'),
    misses: int('Polls that ran out and went on to HLT.'),
    poll_ns: int('Time spent polling in the guest, ns.'),
  }),
  last_cpu: int('pCPU the thread is on or last ran on (ps -o psr); -1 if it never ran.', -1),
  fault: { type: ['string', 'null'], description: 'Why the vCPU stopped with a fault, or null.' },
});

const guest = obj('One guest (QEMU process).', {
  name: str('Guest name (copies of a guest with count > 1 are name-1, name-2, ...).'),
  pid: int('Host pid of the QEMU process.'),
  smp: str("The -smp option as written in the scenario (QEMU's syntax)."),
  machine: { type: ['string', 'null'], description: "QEMU's -machine as the scenario names it (pc and q35 resolved to their versions), or null: simvm's earlier rules." },
  vcpus: int('vCPUs online at the end of the run.'),
  workload: str('Workload kind.'),
  throughput: obj('The guest workload\'s throughput.', {
    counter: str('Counter the throughput is read from.'),
    unit: str('What one count is (e.g. "lock ops").'),
    total: num('Count in the measured run.'),
    per_second: num('Count per second of measured simulated time.'),
    per_second_ci95: ci95('the throughput', num('Bound, per second.')),
  }),
  instructions_per_second: num('Guest instructions per second of measured time, all vCPUs.'),
  counters: record('Every workload counter and gauge, by name.', { type: 'number' }),
  latency: record('Latency summaries by operation kind.', latency),
  exits: exitCounts('all the guest\'s vCPUs'),
  exits_per_second: num('VM exits per second of measured time, all reasons, all vCPUs.'),
  exits_per_second_ci95: ci95('the exit rate', num('Bound, per second.')),
  steal_fraction: fraction('Steal time over runnable time, all vCPUs (0-1).'),
  steal_fraction_ci95: ci95('the steal fraction', fraction('Bound (0-1).')),
  stability: obj('How steady the guest was across sampling windows (stddev / mean).', {
    throughput_cv: { type: ['number', 'null'], description: 'Spread of per-window throughput; null with too few windows.' },
    latency_cv: { type: ['number', 'null'], description: 'Spread of per-window mean latency; null when the workload has no latency or too few windows.' },
  }),
  faults: arr(
    'vCPU faults (e.g. an instruction the CPU model lacks).',
    obj('A fault.', { cpu: int('Guest CPU number.'), at_ns: int('Simulated time, ns.'), message: str('What happened.') }),
  ),
  main_thread: obj("QEMU's main-loop thread.", { time_ns: threadTimes('the main thread'), context_switches: int('Times it was switched in.') }),
  vcpu: arr('Online vCPUs, in guest CPU order.', vcpu),
});

const pcpu = obj('One host CPU.', {
  cpu: int('Linux CPU number.'),
  socket: int('Socket (physical id).'),
  core: int('Core within the socket.'),
  thread: int('SMT thread within the core.'),
  time_ns: obj(
    "Where the pCPU's time went in the measured run, ns.",
    Object.fromEntries(CPU_ACC_NAMES.map((n) => [n, int(`Time in state ${n}, ns.`)])),
  ),
  busy_fraction: fraction('Share of the measured run not idle (0-1).'),
  busy_fraction_ci95: ci95('the busy fraction', fraction('Bound (0-1).')),
  context_switches: int('Context switches on this pCPU.'),
});

const series = obj(
  'Time series sampled during the measured run.',
  {
    interval_ns: int('Sample interval, ns of simulated time.', 1),
    t_ns: arr('End time of each sample window, ns since the start of the run.', int('ns.')),
    pcpu: arr(
      'Per pCPU, the share of each window in each state.',
      obj('One pCPU.', {
        cpu: int('Linux CPU number.'),
        share: obj(
          'Share of each window per state (0-1), one value per sample.',
          Object.fromEntries(CPU_ACC_NAMES.map((n) => [n, arr(`Share in state ${n}.`, num('0-1.'))])),
        ),
      }),
    ),
    guests: arr(
      'Per guest, throughput and steal share per window.',
      obj('One guest.', {
        name: str('Guest name.'),
        throughput: arr('Throughput in each window, operations per second.', num('Per second.')),
        steal_share: arr("Steal time over the window's vCPU time (0-1).", num('0-1.')),
        latency_mean_ns: arr('Mean latency of the samples that arrived in the window, ns; null when none did.', { type: ['integer', 'null'] }),
      }),
    ),
    vcpu_psr: arr(
      'Per vCPU, the pCPU it was running on at each sample instant.',
      obj('One vCPU.', { guest: str('Guest name.'), cpu: int('Guest CPU number.'), psr: arr('pCPU per sample, -1 when not running.', int('pCPU or -1.', -1)) }),
    ),
  },
);

/** The JSON Schema of report.json. */
export function reportSchema(): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'simvm report',
    description: `The JSON report of one simvm run (report.json), report_version ${REPORT_VERSION}. Times are integer nanoseconds of simulated time unless a name says otherwise.`,
    type: 'object',
    properties: {
      simvm: obj('Format of this file.', { report_version: { const: REPORT_VERSION, description: 'Bumped whenever the layout changes incompatibly.' } }),
      scenario: obj('The scenario that was run, after --set and --seed overrides.', {
        name: str('Scenario name.'),
        description: str('Scenario description.'),
        file: str('Scenario file as given.'),
        seed: int('Seed of every random stream.', undefined),
        duration_ns: int('Measured duration, ns.'),
        warmup_ns: int('Warm-up before the measurement, ns.'),
        warmup_auto: obj("`warmup: auto`: where MSER-5 (White 1997) cut the pilot run's initial transient.", {
          method: { const: 'MSER-5', description: 'Truncation heuristic.' },
          pilot_ns: int('Length of the pilot run (from time 0), ns.'),
          cut_ns: int('Warm-up chosen: the cut, ns.'),
          at_limit: { type: 'boolean', description: "The cut fell at half the pilot run, the furthest MSER-5 looks: the run may be too short to reach a steady state." },
        }),
      }, ['name', 'description', 'file', 'seed', 'duration_ns', 'warmup_ns']),
      host: obj('The host.', {
        cpus: int('Host CPUs (pCPUs).', 1),
        topology: obj('CPU topology.', { sockets: int('Sockets.', 1), cores: int('Cores per socket.', 1), threads: int('Threads per core.', 1) }),
        freq_hz: num('CPU frequency, Hz.'),
        kernel: { type: ['string', 'null'], description: 'The host Linux version as host.kernel names it, or null.' },
        scheduler: {
          type: 'object',
          description: 'Host scheduler: kind and tunables (names carry their unit).',
          properties: { kind: str('Scheduler kind (cfs, ...).') },
          required: ['kind'],
          additionalProperties: { type: ['number', 'string'] },
        },
        kvm: record('KVM module parameters (ple, ple_window, halt_poll_ns, ...).', { type: ['number', 'boolean'] }),
        isolcpus: arr('CPUs removed from the scheduler\'s housekeeping set (isolcpus=).', int('CPU number.')),
      }),
      guests: arr('Guests, in scenario order.', guest),
      pcpus: arr('Host CPUs, in CPU number order.', pcpu),
      run: obj('How the run went.', {
        events: int('Simulation events delivered over the whole run, warm-up included: the cost of the run, not a figure of the model (every other count covers the measured window only).'),
        simulated_ns: int('Measured simulated time, ns (shorter than duration_ns if the run stopped early).'),
        partial: { type: 'boolean', description: 'True when the run stopped before its end.' },
        stop_reason: { type: ['string', 'null'], description: 'Why the run stopped early, or null.' },
        precision: obj('`--precision`: how precisely the chosen figures are known.', {
          target: num('Target: the largest half-width of a 95 % interval, relative to its value.'),
          metrics: arr('Figures aimed at, for every guest.', { enum: ['throughput', 'exits', 'steal'] }),
          reached: { type: ['number', 'null'], minimum: 0, description: 'The largest relative half-width over those figures as reported (null: a figure had no interval).' },
          met: { type: 'boolean', description: 'Whether the target was reached; the run stops as soon as it is, at the latest after max_duration_ns.' },
          max_duration_ns: int('The longest the measured run could take (the scenario duration), ns.'),
        }),
      }, ['events', 'simulated_ns', 'partial', 'stop_reason']),
      series,
      timeline: arr(
        'Timeline commands in the order they ran, with what each changed.',
        obj('One command.', { at_ns: int('Simulated time, ns.'), command: str('The command as run.'), effect: str('What it changed (as the real command would print).') }),
      ),
    },
    required: ['simvm', 'scenario', 'host', 'guests', 'pcpus', 'run'],
    additionalProperties: false,
  };
}
