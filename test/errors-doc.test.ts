import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './helpers.js';

// docs/errors.md is the catalogue of input errors: every entry's example is
// run here and must print exactly the documented message and exit code. A
// ```yaml block is saved as bad.yaml, an ```xml block as bad.xml.
const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
const entries = doc.split(/^## /m).slice(1).map((sec) => {
  const title = sec.split('\n')[0];
  const yaml = /```yaml\n([\s\S]*?)```/.exec(sec)?.[1];
  const xml = /```xml\n([\s\S]*?)```/.exec(sec)?.[1];
  const cmd = /```sh\nsimvm (.*)\n```/.exec(sec)![1].split(' ');
  const code = Number(/exits (\d+) with:/.exec(sec)![1]);
  const message = /```text\n([\s\S]*?)```/.exec(sec)![1];
  return { title, yaml, xml, cmd, code, message };
});

describe('docs/errors.md', () => {
  it('documents the catalogue', () => {
    expect(entries.length).toBeGreaterThanOrEqual(25);
  });
  for (const e of entries) {
    it(e.title, () => {
      const d = mkdtempSync(join(tmpdir(), 'simvm-err-'));
      if (e.yaml !== undefined) writeFileSync(join(d, 'bad.yaml'), e.yaml);
      if (e.xml !== undefined) writeFileSync(join(d, 'bad.xml'), e.xml);
      const r = cli(e.cmd, { cwd: d });
      expect(r.code).toBe(e.code);
      expect(r.stderr).toBe(e.message);
      expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
      expect(r.stdout).toBe('');
    });
  }
});
