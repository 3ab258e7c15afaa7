// What reports cost a run: `npm run build && node bench/report-overhead.js [--quick]`.
// Compares wall time of the same scenario run with the default time-series
// interval (1/100 of the duration), a very coarse one (one sample per run) and
// the finest allowed (100us); with and without a --trace recorder; and times
// rendering the HTML report and serialising the trace. Medians of interleaved
// repetitions, so drift on a busy machine hits every variant alike.
import { loadScenario } from '../dist/scenario/load.js';
import { runScenario } from '../dist/sim/run.js';
import { renderHtml } from '../dist/report/html.js';
import { renderCsv } from '../dist/report/csv.js';
import { TraceRecorder } from '../dist/sim/trace.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 7;
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Short runs show the fixed costs (trace serialisation) at their largest;
// a shipped scenario as it is (10 s + 1 s warm-up) shows what a user sees.
const CASES = [
  { file: 'scenarios/overcommit-16on4.yaml', duration: quick ? '100ms' : '300ms' },
  { file: 'scenarios/many-guests-16on4.yaml', duration: quick ? '300ms' : '1s' },
  ...(quick ? [] : [{ file: 'scenarios/many-guests-16on4.yaml', duration: undefined }]),
];

for (const c of CASES) {
  const load = (sets = []) => loadScenario(c.file, c.duration ? { duration: c.duration, sets: ['warmup=50ms', ...sets] } : { sets });
  const dur = load().duration;
  const variants = {
    'coarse sampling (1 sample)': () => runScenario(load([`report.sample_interval=${dur}ns`])),
    'default sampling (100 samples)': () => runScenario(load()),
    'fine sampling (every 100us)': () => runScenario(load(['report.sample_interval=100us'])),
    'default sampling + --trace': () => {
      const s = load();
      const tracer = new TraceRecorder({ fromNs: s.warmup });
      const out = runScenario(s, { tracer });
      const t0 = now();
      const text = tracer.bytes(out.sim);
      return { ...out, traceMs: now() - t0, traceBytes: text.length, traceTruncated: tracer.truncated };
    },
  };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let last = {};
  runScenario(load()); // warm the JIT
  for (let i = 0; i < REPS; i++)
    for (const [name, fn] of Object.entries(variants)) {
      const t0 = now();
      last[name] = fn();
      times[name].push(now() - t0);
    }
  const base = median(times['coarse sampling (1 sample)']);
  const events = last['default sampling (100 samples)'].results.run.events;
  console.log(`\n${c.file} ${c.duration ? `--duration ${c.duration}` : 'as shipped'} (${events.toLocaleString('en-US')} events), median of ${REPS}`);
  for (const [name, ts] of Object.entries(times)) {
    const m = median(ts);
    console.log(`  ${name.padEnd(32)} ${m.toFixed(1).padStart(8)} ms  ${(((m - base) / base) * 100).toFixed(1).padStart(6)}% vs coarse`);
  }
  const tr = last['default sampling + --trace'];
  console.log(`  trace serialisation              ${tr.traceMs.toFixed(1).padStart(8)} ms  (${(tr.traceBytes / 1e6).toFixed(1)} MB${tr.traceTruncated ? ', window closed at the event bound' : ''}; included in the --trace row)`);
  const r = last['default sampling (100 samples)'].results;
  const html = [];
  const csv = [];
  for (let i = 0; i < REPS; i++) {
    let t0 = now();
    const page = renderHtml(r);
    html.push(now() - t0);
    t0 = now();
    renderCsv(r);
    csv.push(now() - t0);
    if (i === 0) console.log(`  report.html size                 ${(page.length / 1e6).toFixed(2).padStart(8)} MB`);
  }
  console.log(`  renderHtml                       ${median(html).toFixed(1).padStart(8)} ms`);
  console.log(`  renderCsv                        ${median(csv).toFixed(1).padStart(8)} ms`);
}
