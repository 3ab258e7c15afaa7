import { describe, expect, it } from 'vitest';
import { awkFieldEquals, countPsr, grepLines, pidDigits, psEfL, psELo, psTime } from '../../src/views/ps.js';
import type { HostThreadInfo } from '../../src/views/types.js';

function thread(t: Partial<HostThreadInfo> & Pick<HostThreadInfo, 'pid' | 'lwp'>): HostThreadInfo {
  return {
    ruser: 'root',
    ppid: 2,
    psr: 0,
    args: '',
    nlwp: 1,
    startTime: '15:30',
    tty: '',
    cpuTimeS: 0,
    cpuPercent: 0,
    kernelThread: false,
    ...t,
  };
}

function kthread(pid: number, psr: number, name: string): HostThreadInfo {
  return thread({ pid, lwp: pid, psr, args: name, kernelThread: true });
}

/** A six-digit pid_max, as on the seed's host (pids above 100000 print in six columns). */
const SEED_HOST = { pidMax: 196608 };

describe('ps -eLf | grep qemu', () => {
  it('§2.3.2: one vCPU thread among four, same tokens as the seed', () => {
    const args = 'qemu-system-x86_64 rhel7.img -m 1G';
    const qemu = (lwp: number, cpuTimeS: number, cpuPercent: number) =>
      thread({ pid: 10744, ppid: 9335, lwp, nlwp: 4, args, tty: 'pts/0', cpuTimeS, cpuPercent });
    const threads = [
      thread({ pid: 1, ppid: 0, lwp: 1, args: '/usr/lib/systemd/systemd --switched-root --system' }),
      qemu(10747, 471, 32.7),
      qemu(10744, 11, 0.4),
      qemu(10748, 1, 0),
      qemu(10745, 0, 0),
      thread({ pid: 11394, ppid: 9766, lwp: 11394, args: 'grep --color=auto qemu', tty: 'pts/2', startTime: '15:54' }),
    ];
    // The book collapsed the column spaces, so compare word by word.
    const seed = [
      'root   10744  9335 10744  0  4 15:30 pts/0  00:00:11 qemu-system-x86_64 rhel7.img -m 1G',
      'root   10744  9335 10745  0  4 15:30 pts/0  00:00:00 qemu-system-x86_64 rhel7.img -m 1G',
      'root   10744  9335 10747 32  4 15:30 pts/0  00:07:51 qemu-system-x86_64 rhel7.img -m 1G',
      'root   10744  9335 10748  0  4 15:30 pts/0  00:00:01 qemu-system-x86_64 rhel7.img -m 1G',
      'root   11394  9766 11394  0  1 15:54 pts/2  00:00:00 grep --color=auto qemu',
    ];
    const ours = psEfL(threads, 'qemu').trimEnd().split('\n');
    expect(ours.map((l) => l.split(/\s+/))).toEqual(seed.map((l) => l.split(/\s+/)));
    // With the default pid_max (32768) the columns are five wide.
    expect(ours[0]).toBe('root     10744  9335 10744  0    4 15:30 pts/0    00:00:11 qemu-system-x86_64 rhel7.img -m 1G');
  });

  it('§2.3.3: eight vCPU threads, byte for byte', () => {
    const args = 'qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G';
    const qemu = (lwp: number, cpuTimeS: number, cpuPercent: number, startTime = '21:43') =>
      thread({ pid: 186360, ppid: 96470, lwp, nlwp: 12, args, tty: 'pts/4', startTime, cpuTimeS, cpuPercent });
    const threads = [
      qemu(186360, 1, 0),
      qemu(186361, 0, 0),
      qemu(186374, 15, 7),
      ...[3, 3, 3, 3, 3, 4, 3].map((s, i) => qemu(186375 + i, s, 1)),
      qemu(186383, 1, 0),
      qemu(186492, 0, 0, '21:46'),
      thread({ pid: 186519, ppid: 178215, lwp: 186519, args: 'grep --color=auto qemu', tty: 'pts/6', startTime: '21:47' }),
    ];
    const seed = `root     186360  96470 186360  0   12 21:43 pts/4    00:00:01 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186361  0   12 21:43 pts/4    00:00:00 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186374  7   12 21:43 pts/4    00:00:15 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186375  1   12 21:43 pts/4    00:00:03 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186376  1   12 21:43 pts/4    00:00:03 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186377  1   12 21:43 pts/4    00:00:03 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186378  1   12 21:43 pts/4    00:00:03 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186379  1   12 21:43 pts/4    00:00:03 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186380  1   12 21:43 pts/4    00:00:04 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186381  1   12 21:43 pts/4    00:00:03 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186383  0   12 21:43 pts/4    00:00:01 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186360  96470 186492  0   12 21:46 pts/4    00:00:00 qemu-system-x86_64 ia32e_rhel7u3_kvm.img -smp 8 -m 8G
root     186519 178215 186519  0    1 21:47 pts/6    00:00:00 grep --color=auto qemu
`;
    expect(psEfL(threads, 'qemu', SEED_HOST)).toBe(seed);
  });

  it('prints the header procps prints, and no filter keeps every row', () => {
    const out = psEfL([thread({ pid: 2, ppid: 0, lwp: 2, args: 'kthreadd', kernelThread: true, startTime: 'Jan15' })], undefined, SEED_HOST);
    expect(out).toBe(
      'UID         PID   PPID    LWP  C NLWP STIME TTY          TIME CMD\n' +
        'root          2      0      2  0    1 Jan15 ?        00:00:00 [kthreadd]\n',
    );
  });
});

/** §5.1.2: the per-CPU kernel threads of the isolated cpu4 and cpu5, and cpu1's threads. */
const CPU4 = [kthread(27, 4, 'watchdog/4'), kthread(28, 4, 'migration/4'), kthread(29, 4, 'ksoftirqd/4'), kthread(30, 4, 'kworker/4:0'), kthread(31, 4, 'kworker/4:0H')];
const CPU5 = [kthread(32, 5, 'watchdog/5'), kthread(33, 5, 'migration/5'), kthread(34, 5, 'ksoftirqd/5'), kthread(35, 5, 'kworker/5:0'), kthread(36, 5, 'kworker/5:0H'), kthread(5439, 5, 'kworker/5:1')];
const CPU1 = [
  kthread(12, 1, 'watchdog/1'),
  kthread(13, 1, 'migration/1'),
  kthread(14, 1, 'ksoftirqd/1'),
  kthread(16, 1, 'kworker/1:0H'),
  kthread(491, 1, 'kworker/1:1'),
  kthread(1220, 1, 'kworker/1:1H'),
  thread({ ruser: 'gdm', pid: 4050, ppid: 4009, lwp: 4050, psr: 1, args: '/usr/libexec/gnome-settings-daemon' }),
  thread({ pid: 6374, ppid: 6008, lwp: 6374, psr: 1, args: '/usr/libexec/tracker-miner-apps' }),
  kthread(7521, 1, 'kworker/1:2'),
  thread({ pid: 8332, ppid: 6623, lwp: 8332, psr: 1, args: 'ps -eLo ruser,pid,ppid,lwp,psr,args' }),
];

/** Other threads, so cpu0..cpu3 carry the seed's 23, 10, 28 and 23 and CPUs 10+ carry a few. */
function filler(): HostThreadInfo[] {
  const out: HostThreadInfo[] = [];
  let pid = 20000;
  for (const [psr, n] of [[0, 23], [2, 28], [3, 23], [10, 4], [11, 3], [21, 2]] as const) {
    for (let i = 0; i < n; i++) out.push(thread({ pid: pid, ppid: 1, lwp: pid++, psr, args: `/usr/sbin/daemon-${psr}-${i}` }));
  }
  return out;
}

describe('ps -eLo ruser,pid,ppid,lwp,psr,args (§5)', () => {
  const before = [...CPU1, ...CPU4, ...CPU5, ...filler()];

  it('counts threads per CPU like `ps -eLo psr | grep -e "^[[:blank:]]*N$" | wc -l`', () => {
    expect([0, 1, 2, 3, 4, 5].map((cpu) => countPsr(before, cpu))).toEqual([23, 10, 28, 23, 5, 6]);
  });

  it("awk '{if($5==5) print $0}' shows cpu5's kernel threads, byte for byte", () => {
    expect(awkFieldEquals(psELo(before, undefined, SEED_HOST), 5, 5)).toBe(
      `root         32      2     32   5 [watchdog/5]
root         33      2     33   5 [migration/5]
root         34      2     34   5 [ksoftirqd/5]
root         35      2     35   5 [kworker/5:0]
root         36      2     36   5 [kworker/5:0H]
root       5439      2   5439   5 [kworker/5:1]
`,
    );
  });

  it("awk '{if($5==1) print $0}' mixes kernel threads and user processes", () => {
    expect(awkFieldEquals(psELo(before, 'ruser,pid,ppid,lwp,psr,args', SEED_HOST), 5, 1)).toBe(
      `root         12      2     12   1 [watchdog/1]
root         13      2     13   1 [migration/1]
root         14      2     14   1 [ksoftirqd/1]
root         16      2     16   1 [kworker/1:0H]
root        491      2    491   1 [kworker/1:1]
root       1220      2   1220   1 [kworker/1:1H]
gdm        4050   4009   4050   1 /usr/libexec/gnome-settings-daemon
root       6374   6008   6374   1 /usr/libexec/tracker-miner-apps
root       7521      2   7521   1 [kworker/1:2]
root       8332   6623   8332   1 ps -eLo ruser,pid,ppid,lwp,psr,args
`,
    );
  });

  const args = 'qemu-system-x86_64 -enable-kvm -smp 2 -m 4G rhel7.img -daemonize';
  const qemu = (lwp: number, psr: number) => thread({ pid: 8645, ppid: 1, lwp, psr, nlwp: 6, args });

  it('§5.2: the QEMU threads before pinning (grep qemu | grep -v grep)', () => {
    const threads = [...before, qemu(8645, 6), qemu(8646, 25), qemu(8647, 2), qemu(8648, 0), qemu(8649, 3), qemu(8651, 17)];
    const out = grepLines(grepLines(psELo(threads, undefined, SEED_HOST), 'qemu'), 'grep', true);
    expect(out).toBe(
      `root       8645      1   8645   6 ${args}
root       8645      1   8646  25 ${args}
root       8645      1   8647   2 ${args}
root       8645      1   8648   0 ${args}
root       8645      1   8649   3 ${args}
root       8645      1   8651  17 ${args}
`,
    );
  });

  it('§5.2: cpu4 after taskset -pc 4 8645 and 8649', () => {
    const after = [
      ...before,
      qemu(8645, 4),
      qemu(8646, 25),
      qemu(8647, 2),
      qemu(8649, 4),
      qemu(8651, 5),
      kthread(9478, 4, 'kworker/4:1H'),
      kthread(9490, 4, 'kworker/4:1'),
    ];
    expect(awkFieldEquals(psELo(after, undefined, SEED_HOST), 5, 4)).toBe(
      `root         27      2     27   4 [watchdog/4]
root         28      2     28   4 [migration/4]
root         29      2     29   4 [ksoftirqd/4]
root         30      2     30   4 [kworker/4:0]
root         31      2     31   4 [kworker/4:0H]
root       8645      1   8645   4 ${args}
root       8645      1   8649   4 ${args}
root       9478      2   9478   4 [kworker/4:1H]
root       9490      2   9490   4 [kworker/4:1]
`,
    );
  });

  it('prints the header and five-wide pid columns for the default pid_max', () => {
    expect(psELo([kthread(32, 5, 'watchdog/5')])).toBe('RUSER      PID  PPID   LWP PSR COMMAND\nroot        32     2    32   5 [watchdog/5]\n');
  });

  it('absorbs a value wider than its column in the following padding', () => {
    const out = psELo([thread({ pid: 186360, ppid: 96470, lwp: 186360, psr: 3, args: 'x' })]);
    // PID and LWP each overflow by one; PPID keeps one space, PSR gives up two.
    expect(out.split('\n')[1]).toBe('root     186360 96470 186360 3 x');
  });

  it('prints the uid instead of a user name longer than eight characters', () => {
    const out = psELo([thread({ ruser: 'systemd-network', uid: 192, pid: 700, ppid: 1, lwp: 700, args: 'n' })], ['ruser', 'pid']);
    expect(out).toBe('RUSER      PID\n192        700\n');
  });

  it('rejects a column ps does not know', () => {
    expect(() => psELo([], ['ruser', 'bogus'])).toThrow('ps: unknown user-defined format specifier "bogus"');
  });
});

describe('ps helpers', () => {
  it('derives PID column widths from pid_max like get_pid_digits', () => {
    expect(pidDigits()).toBe(5);
    expect(pidDigits(32768)).toBe(5);
    expect(pidDigits(100000)).toBe(5);
    expect(pidDigits(100001)).toBe(6);
    expect(pidDigits(4194304)).toBe(7);
    expect(pidDigits(10)).toBe(5);
  });

  it('formats TIME as [DD-]HH:MM:SS', () => {
    expect(psTime(471.9)).toBe('00:07:51');
    expect(psTime(93784)).toBe('1-02:03:04');
  });
});
