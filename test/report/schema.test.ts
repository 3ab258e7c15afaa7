import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { REPORT_VERSION } from '../../src/report/results.js';
import { stableJson } from '../../src/util/files.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/run.js';
import { ROOT, run } from '../helpers.js';

const SCHEMA_FILE = `${ROOT}schema/report.schema.json`;
const published = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(published);

/** The report as it is written to report.json (so undefined optional fields vanish as they do there). */
const asJson = (x: unknown) => JSON.parse(stableJson(x));

describe('schema/report.schema.json', () => {
  it('is the schema src/report/schema.ts declares (regenerate with UPDATE_SCHEMA=1)', () => {
    const text = stableJson(reportSchema());
    if (process.env.UPDATE_SCHEMA) writeFileSync(SCHEMA_FILE, text);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(text);
  });

  it('pins the report version', () => {
    expect(published.properties.simvm.properties.report_version.const).toBe(REPORT_VERSION);
  });

  const scenarios = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).sort();
  it('covers every shipped scenario', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });
  for (const file of scenarios) {
    it(`validates the report of ${file}`, () => {
      const r = asJson(run(file, { duration: '100ms', sets: ['warmup=50ms'] }));
      const ok = validate(r);
      expect(ok ? [] : validate.errors).toEqual([]);
      expect(r.simvm.report_version).toBe(REPORT_VERSION);
      expect(r.series).toBeDefined();
    });
  }

  it('validates a report with timeline effects', () => {
    // Without invariant checks: the accounting check does not yet allow for a vCPU thread created mid-run.
    const s = loadScenario(`${ROOT}scenarios/hotplug.yaml`, { duration: '100ms', sets: ['warmup=50ms', 'timeline.0.at=60ms'] });
    const r = asJson(runScenario(s).results);
    expect(r.timeline).toHaveLength(1);
    expect(validate(r) ? [] : validate.errors).toEqual([]);
  });

  it('rejects a report with an unknown field or a wrong version', () => {
    const r = asJson(run('overcommit-2on4.yaml', { duration: '20ms', sets: ['warmup=10ms'] }));
    expect(validate({ ...r, surprise: 1 })).toBe(false);
    expect(validate({ ...r, simvm: { report_version: REPORT_VERSION + 1 } })).toBe(false);
    expect(validate({ ...r, guests: [{ ...r.guests[0], steal_fraction: 2 }] })).toBe(false);
  });
});
