import { describeOutcome } from './expect.js';
import type { SweepDoc } from './doc.js';
import { describePoint } from './plan.js';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Escape for XML text and attributes; characters XML 1.0 forbids are dropped. */
const x = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);

/**
 * The checks as JUnit XML, the format CI systems show as test results: a
 * test suite per check, a test case per point it applies to. No times or
 * host names, so the file is as reproducible as the results.
 */
export function junitXml(doc: SweepDoc): string {
  const e = doc.expect;
  const undecided = e.undecided ?? 0;
  const total = e.passed + e.failed + e.skipped + undecided;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${x(`simvm sweep ${doc.sweep.name}`)}" tests="${total}" failures="${e.failed}" errors="0" skipped="${e.skipped + undecided}">`);
  for (const c of e.checks) {
    const failures = c.results.filter((r) => r.status === 'fail').length;
    const skipped = c.results.filter((r) => r.status === 'skip' || r.status === 'undecided').length;
    out.push(`  <testsuite name="${x(c.name)}" tests="${c.results.length}" failures="${failures}" errors="0" skipped="${skipped}">`);
    for (const r of c.results) {
      const p = doc.points[r.point];
      const name = `point ${r.point + 1}: ${describePoint(p.params, true)}`;
      const open = `    <testcase classname="${x(`simvm.sweep.${doc.sweep.name}`)}" name="${x(name)}"`;
      const what = describeOutcome(r);
      if (r.status === 'pass') out.push(`${open}/>`);
      else if (r.status === 'skip' || r.status === 'undecided') out.push(`${open}>`, `      <skipped message="${x(what)}"/>`, '    </testcase>');
      else {
        const detail = `${c.check}\n  at ${describePoint(p.params)} (replicates: ${p.runs.length}, seeds: ${p.seeds.join(', ')})\n  got ${what}`;
        out.push(`${open}>`, `      <failure message="${x(`${c.check}: ${what}`)}" type="expectation">${x(detail)}</failure>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
