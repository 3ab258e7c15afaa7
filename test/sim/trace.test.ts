import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { DEFAULT_TRACE_EVENTS, TraceRecorder, type TraceEvent, type TraceFile } from '../../src/sim/trace.js';
import { ROOT } from '../helpers.js';

function traced(file: string, sets: string[], opts: { maxEvents?: number; check?: boolean } = {}) {
  const s = loadScenario(`${ROOT}scenarios/${file}`, { sets });
  const tracer = new TraceRecorder({ fromNs: s.warmup, maxEvents: opts.maxEvents });
  const { sim, results } = runScenario(s, { check: opts.check ?? true, tracer });
  const text = tracer.json(sim);
  return { s, tracer, results, text, trace: JSON.parse(text) as TraceFile };
}

/** Slices on one track must nest (a mode inside its run) or follow each other; Perfetto drops slices that overlap otherwise. */
function expectNested(events: TraceEvent[]) {
  const tracks = new Map<string, TraceEvent[]>();
  for (const e of events) if (e.ph === 'X') tracks.set(`${e.pid}/${e.tid}`, [...(tracks.get(`${e.pid}/${e.tid}`) ?? []), e]);
  // In integer ns, as Perfetto reads them (llround(us * 1000)).
  const ns = (us: number) => Math.round(us * 1000);
  for (const [track, es] of tracks) {
    const open: number[] = [];
    for (const e of es) {
      const start = ns(e.ts);
      const end = start + ns(e.dur!);
      while (open.length && open[open.length - 1] <= start) open.pop();
      if (open.length && end > open[open.length - 1]) throw new Error(`overlapping slices on track ${track} at ${e.ts} us`);
      open.push(end);
    }
  }
}

describe('--trace: Chrome trace-event JSON for Perfetto', () => {
  const { s, trace, text } = traced('overcommit-4on4.yaml', ['duration=30ms', 'warmup=10ms']);
  const events = trace.traceEvents;
  const body = events.filter((e) => e.ph !== 'M');

  it('is valid JSON in the object form, with ns display units and metadata saying what window it covers', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(trace.displayTimeUnit).toBe('ns');
    expect(Array.isArray(trace.traceEvents)).toBe(true);
    expect(trace.otherData.window_start_ns).toBe(s.warmup);
    expect(trace.otherData.window_end_ns).toBe(s.warmup + s.duration);
    expect(trace.otherData.truncated).toBe(false);
    expect(trace.otherData.max_events).toBe(DEFAULT_TRACE_EVENTS);
  });

  it('has a named track per pCPU and names the guest process and its vCPU threads', () => {
    const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(names).toEqual(expect.arrayContaining(['cpu0', 'cpu1', 'cpu2', 'cpu3', 'db/vcpu0', 'db/vcpu3']));
    const procs = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!.name);
    expect(procs).toEqual(expect.arrayContaining(['pCPUs', 'qemu db']));
    const cpuTracks = new Set(body.filter((e) => e.ph === 'X' && e.pid === 0).map((e) => e.tid));
    expect(cpuTracks.size).toBe(4);
  });

  it('records runs, modes and exits inside the window, sorted by time', () => {
    const cats = new Set(body.map((e) => e.cat));
    expect([...cats].sort()).toEqual(['exit', 'mode', 'run']);
    for (let i = 1; i < body.length; i++) expect(body[i].ts).toBeGreaterThanOrEqual(body[i - 1].ts);
    for (const e of body) {
      expect(e.ts).toBeGreaterThanOrEqual(s.warmup / 1000);
      if (e.ph === 'X') {
        expect(e.dur).toBeGreaterThan(0);
        expect(e.ts + e.dur!).toBeLessThanOrEqual((s.warmup + s.duration) / 1000 + 1e-6);
      }
    }
    expect(body.some((e) => e.ph === 'X' && e.cat === 'mode' && e.name === 'guest')).toBe(true);
    // Host ticks interrupt guest mode: external-interrupt exits.
    expect(body.some((e) => e.ph === 'i' && e.cat === 'exit' && e.name === 'EXTERNAL_INTERRUPT')).toBe(true);
    expectNested(body);
  });

  it('is bounded: the window closes at maxEvents, with every slice closed and the cut stated', () => {
    const small = traced('overcommit-16on4.yaml', ['duration=30ms', 'warmup=10ms'], { maxEvents: 500 });
    const b = small.trace.traceEvents.filter((e) => e.ph !== 'M');
    expect(b.length).toBeLessThanOrEqual(500);
    expect(b.length).toBeGreaterThan(400);
    // Over-committed spinners exit on PAUSE loops.
    expect(b.some((e) => e.ph === 'i' && e.cat === 'exit' && e.name === 'PAUSE_INSTRUCTION')).toBe(true);
    expect(small.trace.otherData.truncated).toBe(true);
    expect(small.trace.otherData.window_end_ns).toBeLessThan(small.s.warmup + small.s.duration);
    expect(String(small.trace.otherData.note)).toMatch(/500 events/);
    const end = (small.trace.otherData.window_end_ns as number) / 1000;
    for (const e of b) expect(e.ts + (e.dur ?? 0)).toBeLessThanOrEqual(end + 1e-6);
    expectNested(b);
  });

  it('marks timeline commands and names threads added during the run', () => {
    // Without --check: the accounting check does not yet allow for a thread created mid-run.
    const hp = traced('hotplug.yaml', ['duration=100ms', 'warmup=50ms', 'timeline.0.at=60ms'], { check: false });
    const cmd = hp.trace.traceEvents.filter((e) => e.cat === 'timeline');
    expect(cmd).toEqual([expect.objectContaining({ name: 'cpu-add 7', ph: 'i', s: 'g', ts: 60_000 })]);
    const names = hp.trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(names).toContain('app/vcpu7');
  });

  it('leaves the results unchanged', () => {
    const s2 = loadScenario(`${ROOT}scenarios/overcommit-4on4.yaml`, { sets: ['duration=30ms', 'warmup=10ms'] });
    const plain = runScenario(s2).results;
    const withTrace = traced('overcommit-4on4.yaml', ['duration=30ms', 'warmup=10ms']).results;
    expect(JSON.stringify(withTrace)).toBe(JSON.stringify(plain));
  });
});

/** The trace file as JSON.stringify writes each event of trace(): what the byte writer must reproduce. */
function reference(tracer: TraceRecorder, sim: Parameters<TraceRecorder['trace']>[0]): string {
  const t = tracer.trace(sim);
  return `{"displayTimeUnit":"ns","otherData":${JSON.stringify(t.otherData)},"traceEvents":[\n${t.traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

describe('--trace: the file is written byte by byte, as JSON.stringify would', () => {
  it('for a run with runs, modes, exits, timeline commands and threads added mid-run', () => {
    for (const [file, sets] of [
      ['overcommit-16on4.yaml', ['duration=20ms', 'warmup=5ms']],
      ['hotplug.yaml', ['duration=100ms', 'warmup=50ms', 'timeline.0.at=60ms']],
    ] as const) {
      const { tracer, text } = traced(file, [...sets], { check: false });
      const s = loadScenario(`${ROOT}scenarios/${file}`, { sets: [...sets] });
      const again = new TraceRecorder({ fromNs: s.warmup });
      const { sim } = runScenario(s, { check: false, tracer: again });
      expect(text).toBe(reference(again, sim));
      expect(Buffer.from(text).equals(again.bytes(sim))).toBe(true);
      expect(tracer.events).toBeGreaterThan(100);
    }
  });

  it('for times that are not whole microseconds, not whole ns, or very large, and names that need escaping', () => {
    const { sim } = runScenario(loadScenario(`${ROOT}scenarios/overcommit-2on4.yaml`, { sets: ['duration=1ms', 'warmup=0s'] }));
    const t = new TraceRecorder();
    const times = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1010, 1100, 12_345, 100_000, 1_000_000_007, 123_456_789_012, 2.5e6 + 0.5, 2 ** 53 + 2, 1e21];
    let now = 0;
    for (const [i, dt] of times.entries()) {
      now += dt;
      t.run(i % 3, 7 + (i % 2), now);
      t.mode(i % 3, 7 + (i % 2), i % 4, now + 0.25);
      t.exit(i % 3, 7 + (i % 2), i % 2 ? 'PAUSE_INSTRUCTION' : 'odd "name"\\ \u00e9\u2028', now + 1);
    }
    t.command('cpu-add "7"\n', now + 3);
    const text = t.json(sim);
    expect(text).toBe(reference(t, sim));
    expect(text).toContain('\\"name\\"');
    const ts = (JSON.parse(text) as TraceFile).traceEvents.map((e) => e.ts);
    expect(ts).toContain(0.001);
    expect(ts.some((x) => !Number.isInteger(x * 1000))).toBe(true);
  });
});
