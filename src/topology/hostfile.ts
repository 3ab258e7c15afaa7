/**
 * Read a real host's topology from a saved `/proc/cpuinfo` or `lscpu -p`
 * output, so a scenario can say "this host" instead of counting sockets by
 * hand.
 *
 *   /proc/cpuinfo  blocks of `key<TAB>: value` lines, one block per online
 *                  CPU, separated by blank lines (arch/x86/kernel/cpu/proc.c).
 *                  `physical id` and `core id` give the package and the core
 *                  (core ids are per package and may be sparse). No NUMA
 *                  information: one node.
 *   lscpu -p       `#` comment lines, the last naming the columns
 *                  (`# CPU,Core,Socket,Node,,L1d,L1i,L2,L3`), then one
 *                  comma-separated line per CPU; Core is numbered across the
 *                  whole machine (util-linux sys-utils/lscpu.c). CPUs that
 *                  `lscpu -p --all` lists without a core or socket (offline)
 *                  are left out.
 *
 * Anything else is rejected with the file name and line number.
 */
import type { HostTopology } from './types.js';

export interface HostFileCpu {
  /** Logical CPU number. */
  cpu: number;
  /** Package id as the file gives it. */
  socket: number;
  /** Dense core index within the socket: 0, 1, ... in ascending order of `coreId`. */
  core: number;
  /** NUMA node (0 for /proc/cpuinfo). */
  node: number;
  /** The core id exactly as the file gives it. */
  coreId: number;
  /** Initial APIC id, when /proc/cpuinfo gives one. */
  apicId?: number;
}

export interface HostFile {
  format: 'proc-cpuinfo' | 'lscpu-p';
  /**
   * Largest counts found: a host with offline CPUs or mixed packages is
   * described by its biggest socket and core.
   */
  topology: HostTopology;
  cpus: HostFileCpu[];
  modelName?: string;
  /** `cpu MHz` of the first CPU. */
  mhz?: number;
  /** `flags` of the first CPU, in file order. */
  flags?: string[];
  /**
   * What the first CPU's block says of the CPU itself (/proc/cpuinfo only:
   * `lscpu -p` has no such columns): `vendor_id`, `cpu family`, `model`,
   * `stepping`, `cpuid level`, as arch/x86/kernel/cpu/proc.c show_cpuinfo()
   * prints them.
   */
  cpuId?: { vendor: string; family: number; model: number; stepping: number; cpuidLevel?: number };
}

/** A host file that is neither format, or is malformed; the message starts with `file:line:`. */
export class HostFileError extends Error {
  constructor(fileName: string, line: number, message: string) {
    super(`${fileName}:${line}: ${message}`);
    this.name = 'HostFileError';
  }
}

/** Parse either format, recognised by its first non-blank line. */
export function parseHostFile(text: string, fileName = '<host file>'): HostFile {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new HostFileError(fileName, 1, 'empty file: expected /proc/cpuinfo or `lscpu -p` output');
  const head = lines[first];
  if (/^processor\s*:/.test(head)) return parseProcCpuinfo(text, fileName);
  if (head.startsWith('#') || /^\d+,/.test(head)) return parseLscpuP(text, fileName);
  throw new HostFileError(
    fileName,
    first + 1,
    `unrecognised host file: expected /proc/cpuinfo ("processor\t: 0") or \`lscpu -p\` output ("# CPU,Core,Socket,Node,...")`,
  );
}

function parseInteger(fileName: string, line: number, what: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new HostFileError(fileName, line, `${what} is not a non-negative integer: "${value}"`);
  return Number(value);
}

interface RawCpu {
  cpu: number;
  socket: number;
  coreId: number;
  node: number;
  apicId?: number;
  line: number;
}

/** Dense per-socket core indexes and the largest counts. */
function summarise(format: HostFile['format'], raw: RawCpu[], extra: Omit<HostFile, 'format' | 'topology' | 'cpus'>): HostFile {
  const coresBySocket = new Map<number, number[]>();
  for (const c of raw) {
    const list = coresBySocket.get(c.socket) ?? [];
    if (!list.includes(c.coreId)) list.push(c.coreId);
    coresBySocket.set(c.socket, list);
  }
  for (const list of coresBySocket.values()) list.sort((a, b) => a - b);
  const threadsByCore = new Map<string, number>();
  for (const c of raw) {
    const key = `${c.socket}/${c.coreId}`;
    threadsByCore.set(key, (threadsByCore.get(key) ?? 0) + 1);
  }
  const cpus = raw
    .map(
      (c): HostFileCpu => ({
        cpu: c.cpu,
        socket: c.socket,
        core: coresBySocket.get(c.socket)!.indexOf(c.coreId),
        node: c.node,
        coreId: c.coreId,
        ...(c.apicId === undefined ? {} : { apicId: c.apicId }),
      }),
    )
    .sort((a, b) => a.cpu - b.cpu);
  const topology: HostTopology = {
    sockets: coresBySocket.size,
    coresPerSocket: Math.max(...[...coresBySocket.values()].map((l) => l.length)),
    threadsPerCore: Math.max(...threadsByCore.values()),
    numaNodes: new Set(raw.map((c) => c.node)).size,
  };
  return { format, topology, cpus, ...extra };
}

function checkUnique(fileName: string, raw: RawCpu[]): void {
  const seen = new Map<number, number>();
  for (const c of raw) {
    const earlier = seen.get(c.cpu);
    if (earlier !== undefined) {
      throw new HostFileError(fileName, c.line, `CPU ${c.cpu} listed twice (first on line ${earlier})`);
    }
    seen.set(c.cpu, c.line);
  }
}

/** Parse a saved /proc/cpuinfo. */
export function parseProcCpuinfo(text: string, fileName = '<host file>'): HostFile {
  const lines = text.split(/\r?\n/);
  const raw: RawCpu[] = [];
  let modelName: string | undefined;
  let mhz: number | undefined;
  let flags: string[] | undefined;
  let cpuId: HostFile['cpuId'];

  // Fields of the block being read, each with the line it came from.
  let block = new Map<string, { value: string; line: number }>();
  let blockStart = 0;
  const finishBlock = () => {
    if (block.size === 0) return;
    const processor = block.get('processor');
    if (!processor) {
      // Some architectures end with a machine block ("Hardware", "Revision");
      // on x86 every block starts with `processor`.
      if (raw.length > 0) return;
      throw new HostFileError(fileName, blockStart, 'CPU block without a "processor" line');
    }
    const num = (key: string): number | undefined => {
      const f = block.get(key);
      return f === undefined ? undefined : parseInteger(fileName, f.line, `"${key}"`, f.value);
    };
    const cpu = num('processor')!;
    raw.push({
      cpu,
      // A uniprocessor kernel prints no topology: one package, one core per CPU.
      socket: num('physical id') ?? 0,
      coreId: num('core id') ?? cpu,
      node: 0,
      apicId: num('apicid'),
      line: processor.line,
    });
    if (raw.length === 1) {
      modelName = block.get('model name')?.value;
      const m = block.get('cpu MHz');
      if (m !== undefined) {
        if (!/^\d+(\.\d+)?$/.test(m.value)) throw new HostFileError(fileName, m.line, `"cpu MHz" is not a number: "${m.value}"`);
        mhz = Number(m.value);
      }
      const f = block.get('flags');
      if (f !== undefined) flags = f.value.split(/\s+/).filter((s) => s !== '');
      const vendor = block.get('vendor_id')?.value;
      const family = num('cpu family');
      const model = num('model');
      // show_cpuinfo() prints "stepping : unknown" when it has none.
      const stepping = block.get('stepping')?.value === 'unknown' ? 0 : num('stepping');
      if (vendor !== undefined && family !== undefined && model !== undefined) {
        const level = num('cpuid level');
        cpuId = { vendor, family, model, stepping: stepping ?? 0, ...(level === undefined ? {} : { cpuidLevel: level }) };
      }
    }
  };

  lines.forEach((text, i) => {
    const lineNo = i + 1;
    if (text.trim() === '') {
      finishBlock();
      block = new Map();
      return;
    }
    const m = /^([^:]*?)\s*:\s?(.*)$/.exec(text);
    if (!m || m[1].trim() === '') {
      throw new HostFileError(fileName, lineNo, `expected "key<TAB>: value" as /proc/cpuinfo prints it, got "${text}"`);
    }
    if (block.size === 0) blockStart = lineNo;
    block.set(m[1].trim(), { value: m[2].trim(), line: lineNo });
  });
  finishBlock();
  if (raw.length === 0) throw new HostFileError(fileName, 1, 'no "processor" line found');
  checkUnique(fileName, raw);
  return summarise('proc-cpuinfo', raw, {
    ...(modelName === undefined ? {} : { modelName }),
    ...(mhz === undefined ? {} : { mhz }),
    ...(flags === undefined ? {} : { flags }),
    ...(cpuId === undefined ? {} : { cpuId }),
  });
}

/** lscpu's default parsable columns, used when the comment header was cut off. */
const LSCPU_DEFAULT_COLUMNS = ['CPU', 'Core', 'Socket', 'Node', '', 'L1d', 'L1i', 'L2', 'L3'];

/** Parse `lscpu -p` (or `lscpu -p=cpu,core,socket,node`) output. */
export function parseLscpuP(text: string, fileName = '<host file>'): HostFile {
  const lines = text.split(/\r?\n/);
  let columns: string[] | undefined;
  let columnsLine = 0;
  const raw: RawCpu[] = [];
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      // The comment lines before the data explain the format; the last one,
      // a comma-separated list, names the columns.
      const body = line.slice(1).trim();
      if (body.includes(',') || /^CPU$/i.test(body)) {
        columns = body.split(',').map((c) => c.trim());
        columnsLine = lineNo;
      }
      return;
    }
    if (!columns) {
      columns = LSCPU_DEFAULT_COLUMNS;
      columnsLine = 0;
    }
    const cells = line.split(',');
    if (cells.length !== columns.length) {
      const from = columnsLine > 0 ? `the header on line ${columnsLine}` : 'lscpu\'s default columns';
      throw new HostFileError(fileName, lineNo, `${cells.length} fields, but ${from} names ${columns.length}`);
    }
    const cell = (name: string): string | undefined => {
      const k = columns!.findIndex((c) => c.toLowerCase() === name.toLowerCase());
      return k < 0 ? undefined : cells[k].trim();
    };
    const cpuCell = cell('CPU');
    if (cpuCell === undefined) throw new HostFileError(fileName, columnsLine || lineNo, 'no CPU column');
    const coreCell = cell('Core');
    const socketCell = cell('Socket');
    if (coreCell === undefined || socketCell === undefined) {
      throw new HostFileError(fileName, columnsLine || lineNo, 'lscpu -p output needs the Core and Socket columns');
    }
    const cpu = parseInteger(fileName, lineNo, 'CPU', cpuCell);
    // --all lists offline CPUs with empty or "-" topology fields.
    if (coreCell === '' || coreCell === '-' || socketCell === '' || socketCell === '-') return;
    const nodeCell = cell('Node');
    raw.push({
      cpu,
      coreId: parseInteger(fileName, lineNo, 'Core', coreCell),
      socket: parseInteger(fileName, lineNo, 'Socket', socketCell),
      node: nodeCell === undefined || nodeCell === '' || nodeCell === '-' ? 0 : parseInteger(fileName, lineNo, 'Node', nodeCell),
      line: lineNo,
    });
  });
  if (raw.length === 0) throw new HostFileError(fileName, lines.length, 'no CPU lines found');
  checkUnique(fileName, raw);
  return summarise('lscpu-p', raw, {});
}
