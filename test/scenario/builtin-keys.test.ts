import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';

// Names every plain object inherits: a lookup with `in` finds them, an own-property lookup does not.
const BUILTINS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

const base = (extra: { top?: string; host?: string; guest?: string; workload?: string }) =>
  `${extra.top ?? ''}host:\n  cpus: 4\n${extra.host ?? ''}guests:\n  - name: vm\n${extra.guest ?? ''}    workload:\n      kind: spinlock\n${extra.workload ?? ''}`;

function errorOf(file: string, sets: string[] = []): string {
  try {
    loadScenario(file, { sets });
  } catch (e) {
    return String((e as Error).message);
  }
  return '(accepted)';
}

describe('keys that are built-in object properties', () => {
  const d = mkdtempSync(join(tmpdir(), 'simvm-builtin-keys-'));
  const file = join(d, 's.yaml');

  it('are unknown fields in every position of a scenario file', () => {
    for (const key of BUILTINS) {
      const cases = [
        base({ top: `${key}: 1\n` }),
        base({ host: `  ${key}: 1\n` }),
        base({ guest: `    ${key}: 1\n` }),
        base({ workload: `      ${key}: 1\n` }),
      ];
      for (const yaml of cases) {
        writeFileSync(file, yaml);
        expect(errorOf(file), `${key} in\n${yaml}`).toContain(`unknown field "${key}"`);
      }
      // As a variant tag value: not a workload kind.
      writeFileSync(file, base({}).replace('kind: spinlock', `kind: ${key}`));
      expect(errorOf(file), `kind: ${key}`).toMatch(/workload\.kind must be one of/);
    }
  });

  it('are unknown fields when --set adds them', () => {
    writeFileSync(file, base({}));
    expect(errorOf(file)).toBe('(accepted)');
    for (const key of BUILTINS) {
      for (const path of [key, `host.${key}`, `guests.vm.${key}`, `guests.vm.workload.${key}`]) {
        expect(errorOf(file, [`${path}=1`]), path).toContain(`unknown field "${key}"`);
      }
    }
  });
});

describe('built-in property names in expect: checks', () => {
  it('are not functions: only min, max and abs are', async () => {
    const { parseCheck, ExprError } = await import('../../src/sweep/expect.js');
    for (const key of BUILTINS.filter((k) => /^[a-z]/i.test(k))) expect(() => parseCheck(`${key}(1) > 0`), key).toThrow(ExprError);
    expect(parseCheck('min(1, 2) > 0').src).toBe('min(1, 2) > 0');
  });
});
