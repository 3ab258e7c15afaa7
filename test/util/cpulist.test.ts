import { describe, expect, it } from 'vitest';
import { MAX_CPU_NUMBER, parseCpuList, UnitError } from '../../src/util/units.js';
import { cli } from '../helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('CPU lists', () => {
  it('are checked before they are expanded: a range beyond any host fails at once, whatever its width', () => {
    for (const bad of ['0-4294967295', `0-${MAX_CPU_NUMBER}`, '4294967295', `1,2,${2 ** 40}`, `${2 ** 52}-${2 ** 53}`]) {
      expect(() => parseCpuList(bad), bad).toThrow(UnitError);
      expect(() => parseCpuList(bad)).toThrow(/beyond any host simvm models/);
    }
    expect(() => parseCpuList(2 ** 31)).toThrow(/beyond any host/);
    expect(parseCpuList(`0-${MAX_CPU_NUMBER - 1}`)).toHaveLength(MAX_CPU_NUMBER);
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
  });

  it('in pin and isolcpus: an input error with its position, not an internal error', () => {
    const d = mkdtempSync(join(tmpdir(), 'simvm-cpulist-'));
    const cases: [string, RegExp][] = [
      ['host:\n  cpus: 4\n  isolcpus: 0-4294967295\nguests:\n  - name: vm\n    workload: { kind: spinlock }\n', /bad\.yaml:3:13: .*beyond any host/],
      ['host:\n  cpus: 4\nguests:\n  - name: vm\n    pin: ["0-4294967295"]\n    workload: { kind: spinlock }\n', /bad\.yaml:5:11: .*beyond any host/],
    ];
    for (const [yaml, msg] of cases) {
      writeFileSync(join(d, 'bad.yaml'), yaml);
      const r = cli(['bad.yaml', '--no-write', '-q'], { cwd: d });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
