import { describe, expect, it } from 'vitest';
import { infoCpus } from '../../src/views/monitor.js';
import { SMP_4_MAX_8, SMP_8, SMP_DEFAULT, topology, vcpu } from './fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('info cpus', () => {
  it('no -smp (§2.3.2)', () => {
    const cpus = [vcpu(SMP_DEFAULT, 0, 10747, 0xffffffff81058e96n)];
    expect(infoCpus({ cpus })).toBe('* CPU #0: pc=0xffffffff81058e96 (halted) thread_id=10747\n');
  });

  it('-smp 8 (§2.3.3), byte for byte', () => {
    const cpus = range(8).map((i) => vcpu(SMP_8, i, 186374 + i));
    expect(infoCpus({ cpus })).toBe(
      [
        '* CPU #0: pc=0xffffffff81060eb6 (halted) thread_id=186374',
        '  CPU #1: pc=0xffffffff81060eb6 (halted) thread_id=186375',
        '  CPU #2: pc=0xffffffff81060eb6 (halted) thread_id=186376',
        '  CPU #3: pc=0xffffffff81060eb6 (halted) thread_id=186377',
        '  CPU #4: pc=0xffffffff81060eb6 (halted) thread_id=186378',
        '  CPU #5: pc=0xffffffff81060eb6 (halted) thread_id=186379',
        '  CPU #6: pc=0xffffffff81060eb6 (halted) thread_id=186380',
        '  CPU #7: pc=0xffffffff81060eb6 (halted) thread_id=186381',
        '',
      ].join('\n'),
    );
  });

  it('-smp 4,maxcpus=8 before and after cpu-add 7 (§2.3.5)', () => {
    const t = SMP_4_MAX_8;
    const boot = range(4).map((i) => vcpu(t, i, 190609 + i));
    const before = [
      '* CPU #0: pc=0xffffffff81060eb6 (halted) thread_id=190609',
      '  CPU #1: pc=0xffffffff81060eb6 (halted) thread_id=190610',
      '  CPU #2: pc=0xffffffff81060eb6 (halted) thread_id=190611',
      '  CPU #3: pc=0xffffffff81060eb6 (halted) thread_id=190612',
    ];
    expect(infoCpus({ cpus: boot })).toBe(before.join('\n') + '\n');
    const after = infoCpus({ cpus: [...boot, vcpu(t, 7, 190690)] });
    expect(after).toBe([...before, '  CPU #7: pc=0xffffffff81060eb6 (halted) thread_id=190690'].join('\n') + '\n');
  });

  it('the pinned two-vCPU guest of §5.2', () => {
    const t = topology(2, 2, 2, 1, 1);
    expect(infoCpus({ cpus: [vcpu(t, 0, 8649), vcpu(t, 1, 8651)] })).toBe(
      '* CPU #0: pc=0xffffffff81060eb6 (halted) thread_id=8649\n' +
        '  CPU #1: pc=0xffffffff81060eb6 (halted) thread_id=8651\n',
    );
  });

  it('prints (halted) only for halted vCPUs and moves the star with `cpu N`', () => {
    const cpus = [vcpu(SMP_8, 0, 10, 0xffffffff8104f596n), { ...vcpu(SMP_8, 1, 11, 0x400123n), halted: false }];
    expect(infoCpus({ cpus }, { monitorCpu: 1 })).toBe(
      '  CPU #0: pc=0xffffffff8104f596 (halted) thread_id=10\n' + '* CPU #1: pc=0x0000000000400123 thread_id=11\n',
    );
  });

  it('prints the query-cpus-fast format of later QEMU', () => {
    const cpus = range(2).map((i) => vcpu(SMP_8, i, 8649 + 2 * i));
    expect(infoCpus({ cpus }, { format: 'query-cpus-fast' })).toBe(
      '* CPU #0: thread_id=8649\n  CPU #1: thread_id=8651\n',
    );
  });

  it('refuses a pc that a number cannot hold exactly', () => {
    const cpus = [{ ...vcpu(SMP_8, 0, 1), pc: 0xffffffff81060eb6 }];
    expect(() => infoCpus({ cpus })).toThrow(/bigint/);
  });
});
