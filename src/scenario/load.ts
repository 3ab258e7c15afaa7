import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { assemble, AsmError, type Program } from '../cpu/assembler.js';
import { parseSmp, SmpError } from '../topology/smp.js';
import { KernelError, kernelScheduler, parseKernel } from '../scheduler/kernels.js';
import { MachineError, resolveMachine, type MachineType } from '../topology/machines.js';
import type { GuestTopology } from '../topology/types.js';
import type { Field, FieldValue, Fields } from '../util/params.js';
import type { HostCpuPlace } from '../topology/types.js';
import type { BackgroundDef } from '../host/kthreads.js';
import { suggest } from '../util/suggest.js';
import { WORKLOADS, type WorkloadInstance, type WorkloadKind } from '../workloads/index.js';
import { InputError, InputErrors } from '../util/errors.js';
import { at, keyText, parseYaml, readInput, unknownField, type YamlCtx } from './yaml.js';
import { DEFAULT_PERCENTILES, SCENARIO } from './fields.js';
import { formatNs } from '../engine/time.js';
import { parseHost, parseMonitor, type TimelineCommand } from './timeline.js';
import { hostPlaces } from '../topology/host-places.js';
import { bootTids, type PidInput } from '../host/pids.js';
import { HostFileError, parseHostFile, type HostFile } from '../topology/hostfile.js';
import { checkHostSupports, CpuModelError, hostUnsupportedMessage, resolveCpuModel } from '../cpu/models/index.js';
import { hostIdentity, hostIdentityFromFile } from '../cpu/models/host.js';
import { identityForRelease } from '../cpu/models/releases.js';
import { cpuModelNamesInListOrder } from '../cpu/models/catalogue.js';
import type { CpuIdentity } from '../cpu/models/types.js';
import { domainName, formatWarning, mapDomain, type InputWarning } from '../libvirt/domain.js';
import { readDomainFile } from '../libvirt/xml.js';
import { parseCpuList, parseCycles, parseDuration, parseFrequency, parseRate, parseSize, UnitError } from '../util/units.js';
import { plural } from '../util/plural.js';

/**
 * The validated `host:` section, its type derived from the field table:
 * YAML keys, values in base units, defaults filled in. `topology` is there
 * only when the file gives one; `places` when the CPUs come from a host file.
 */
export type HostDef = Omit<FieldValue<typeof SCENARIO.host>, 'topology' | 'background'> & {
  topology?: FieldValue<typeof SCENARIO.host.fields.topology>;
  /** Background processes (a name is required, so every entry has one). */
  background?: BackgroundDef[];
  places?: HostCpuPlace[];
};

/** A validated scenario: YAML keys, values in base units (ns, Hz, bytes, cycles, per second). */
export interface Scenario {
  file: string;
  name: string;
  description: string;
  seed: number;
  duration: number;
  warmup: number;
  /** `warmup: auto`: `warmup` is decided by a pilot run (MSER-5) before the measured run. */
  warmupAuto: boolean;
  host: HostDef;
  guests: GuestDef[];
  report: { percentiles: number[]; per_vcpu: boolean; sample_interval?: number };
  timeline: TimelineCommand[];
  /** The host's CPU, from host.cpu. */
  hostCpu: CpuIdentity;
  /** The migration group for migrate-check. */
  migration: { name: string; cpu: string }[];
  /** The scenario text as given (after --set), for reports. */
  text: string;
  /** What the input says that simvm does not model (from libvirt domains), as `file:line:col: warning: ...` lines. */
  warnings: string[];
}

export interface GuestDef {
  name: string;
  cpu: string;
  pin?: number[][];
  emulator_pin?: number[];
  count: number;
  smp: GuestTopology;
  smpText: string;
  /** QEMU's -machine, when the scenario names one (src/topology/machines.ts). */
  machineType?: MachineType;
  memory: number;
  on_fault: 'stop' | 'continue';
  /** The guest's cpuidle-haltpoll window, ns (0: plain HLT). */
  haltpoll: number;
  workload: { kind: WorkloadKind; [k: string]: any };
  /** What the guest's CPUID says (QEMU -cpu under KVM). */
  identity: CpuIdentity;
  /** The workload's program, assembled, and its devices. */
  instance: WorkloadInstance;
  program: Program;
}

/** What the host's pid numbering depends on, from a scenario (`ncpus` when already known). */
export function pidInput(s: Pick<Scenario, 'host' | 'guests'>, ncpus = hostPlaces(s.host).length): PidInput {
  return {
    ncpus,
    kthreads: !!s.host.kthreads,
    background: s.host.background ?? [],
    guests: s.guests.map((g) => ({ count: g.count, cpus: g.smp.cpus, maxcpus: g.smp.maxcpus })),
  };
}

/** Most requests a scenario may generate (each is several events and a latency sample). */
export const MAX_ARRIVALS = 50_000_000;

type Ctx = YamlCtx;

const typeName = (f: Field): string =>
  ({ duration: 'a duration like 10s or 750us', frequency: 'a frequency like 3GHz', rate: 'a rate like 500/s', size: 'a size like 8G', cycles: 'a cycle count', int: 'a whole number', number: 'a number', bool: 'true or false', string: 'a string', enum: 'one of the listed words', cpulist: 'a CPU list like 0-3,6', smp: 'a -smp string like 4,sockets=2 or a number', object: 'a mapping', list: 'a list', variant: 'a mapping with a kind', any: 'any YAML value' })[f.type];

function checkRange(ctx: Ctx, node: Node, v: number, f: { min?: number; max?: number }, path: string, fmt: (x: number) => string = String): number | undefined {
  if (f.min !== undefined && v < f.min) {
    ctx.errors.push(at(ctx, node, `${path} must be at least ${fmt(f.min)}, got ${fmt(v)}`));
    return undefined;
  }
  if (f.max !== undefined && v > f.max) {
    ctx.errors.push(at(ctx, node, `${path} must be at most ${fmt(f.max)}, got ${fmt(v)}`));
    return undefined;
  }
  return v;
}

function defaults(f: Field): any {
  switch (f.type) {
    case 'object':
      return Object.fromEntries(Object.entries(f.fields).map(([k, sub]) => [k, defaults(sub)]));
    case 'variant':
      return f.default ? { [f.tag]: f.default, ...defaults({ type: 'object', fields: f.variants[f.default], help: '' }) } : undefined;
    case 'list':
      return undefined;
    default:
      return (f as { default?: unknown }).default;
  }
}

function checkFields(ctx: Ctx, node: Node | null, fields: Fields, path: string, required: readonly string[] = [], skip: string[] = []): Record<string, any> {
  const out: Record<string, any> = {};
  if (node && !isMap(node)) {
    ctx.errors.push(at(ctx, node, `${path || 'the scenario'} must be a mapping of fields`));
    return defaults({ type: 'object', fields, help: '' });
  }
  const seen = new Map<string, Node | null>();
  if (node && isMap(node)) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = keyText(keyNode);
      if (skip.includes(key)) continue;
      if (!Object.hasOwn(fields, key)) {
        unknownField(ctx, keyNode, key, Object.keys(fields), path);
        continue;
      }
      seen.set(key, (pair.value as Node) ?? null);
    }
  }
  for (const [key, f] of Object.entries(fields)) {
    const p = path ? `${path}.${key}` : key;
    if (seen.has(key)) out[key] = check(ctx, seen.get(key) ?? null, f, p);
    else {
      if (required.includes(key)) ctx.errors.push(at(ctx, node, `${path || 'the scenario'} needs a "${key}" field`));
      out[key] = defaults(f);
    }
  }
  return out;
}

function check(ctx: Ctx, node: Node | null, f: Field, path: string): any {
  if (node === null || (isScalar(node) && node.value === null)) {
    if (f.type === 'object') return checkFields(ctx, null, f.fields, path, f.required);
    return defaults(f);
  }
  const raw = isScalar(node) ? node.value : undefined;
  const unit = (parse: (x: unknown) => number, fmt?: (x: number) => string) => {
    if (!isScalar(node)) {
      ctx.errors.push(at(ctx, node, `${path} must be ${typeName(f)}`));
      return undefined;
    }
    try {
      return checkRange(ctx, node, parse(raw), f as { min?: number; max?: number }, path, fmt);
    } catch (e) {
      if (e instanceof UnitError) {
        ctx.errors.push(at(ctx, node, `${path}: ${e.message}`, e.hint));
        return undefined;
      }
      throw e;
    }
  };
  switch (f.type) {
    case 'duration':
      if (f.auto && raw === 'auto') return 'auto';
      return unit(parseDuration, (x) => `${x}ns`);
    case 'frequency':
      return unit(parseFrequency, (x) => `${x}Hz`);
    case 'rate':
      return unit(parseRate, (x) => `${x}/s`);
    case 'size':
      return unit(parseSize, (x) => `${x} bytes`);
    case 'cycles':
      return unit(parseCycles);
    case 'int':
    case 'number': {
      if (!isScalar(node) || typeof raw !== 'number' || (f.type === 'int' && !Number.isInteger(raw))) {
        ctx.errors.push(at(ctx, node, `${path} must be ${typeName(f)}, got ${JSON.stringify(raw ?? node.toJSON())}`));
        return undefined;
      }
      return checkRange(ctx, node, raw, f, path);
    }
    case 'bool':
      if (typeof raw !== 'boolean') {
        ctx.errors.push(at(ctx, node, `${path} must be true or false, got ${JSON.stringify(raw)}`));
        return undefined;
      }
      return raw;
    case 'string':
      if (typeof raw !== 'string') {
        // YAML reads 3.10 as the number 3.1: show the text as written, quoted.
        const written = typeof raw === 'number' && node?.range ? ctx.text.slice(node.range[0], node.range[1]) : undefined;
        ctx.errors.push(at(ctx, node, `${path} must be a string`, written ? `quote it: "${written}"` : undefined));
        return undefined;
      }
      if (f.pattern && !f.pattern.test(raw)) {
        ctx.errors.push(at(ctx, node, `${path} "${raw}" has characters that are not allowed`, f.patternHelp ? `use ${f.patternHelp}` : undefined));
        return undefined;
      }
      return raw;
    case 'enum':
      if (typeof raw !== 'string' || !f.values.includes(raw)) {
        const s = typeof raw === 'string' ? suggest(raw, f.values) : undefined;
        ctx.errors.push(at(ctx, node, `${path} must be one of ${f.values.join(', ')}, got ${JSON.stringify(raw ?? null)}`, s ? `did you mean "${s}"?` : undefined));
        return undefined;
      }
      return raw;
    case 'cpulist': {
      const v = isSeq(node) ? node.toJSON() : raw;
      try {
        return parseCpuList(v);
      } catch (e) {
        if (e instanceof UnitError) {
          ctx.errors.push(at(ctx, node, `${path}: ${e.message}`, e.hint));
          return undefined;
        }
        throw e;
      }
    }
    case 'smp':
      return raw;
    case 'any':
      return node.toJSON();
    case 'object':
      return checkFields(ctx, node, f.fields, path, f.required);
    case 'list': {
      if (!isSeq(node)) {
        ctx.errors.push(at(ctx, node, `${path} must be a list`));
        return [];
      }
      if (f.min && node.items.length < f.min) ctx.errors.push(at(ctx, node, `${path} needs at least ${plural(f.min, 'item')}`));
      return node.items.map((item, i) => check(ctx, item as Node, f.of, `${path}[${i}]`));
    }
    case 'variant': {
      if (!isMap(node)) {
        ctx.errors.push(at(ctx, node, `${path} must be a mapping with a "${f.tag}" field`));
        return undefined;
      }
      const tagNode = node.get(f.tag, true) as Node | undefined;
      const kind = tagNode && isScalar(tagNode) ? String(tagNode.value) : f.default;
      if (!kind || !Object.hasOwn(f.variants, kind)) {
        const s = kind ? suggest(kind, Object.keys(f.variants)) : undefined;
        ctx.errors.push(at(ctx, tagNode ?? node, `${path}.${f.tag} must be one of ${Object.keys(f.variants).join(', ')}${kind ? `, got "${kind}"` : ''}`, s ? `did you mean "${s}"?` : undefined));
        return undefined;
      }
      return { [f.tag]: kind, ...checkFields(ctx, node, f.variants[kind], path, [], [f.tag]) };
    }
  }
}

/** Apply `--set path=value` overrides to the YAML document. */
/** The name of a list item: its `name:`, or for a `libvirt:` guest without one, its domain's. */
function itemName(item: unknown, ctx: Ctx): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get('name');
  if (name !== undefined) return String(name);
  const ref = item.get('libvirt');
  if (typeof ref !== 'string') return undefined;
  try {
    return domainName(readDomainFile(resolve(dirname(ctx.file), ref)));
  } catch {
    // Reported when the guest is expanded.
    return undefined;
  }
}

function applySets(doc: Document, sets: string[], ctx: Ctx): void {
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      ctx.errors.push(new InputError(`--set "${s}" is not path=value`, '--set', undefined, undefined, 'e.g. --set guests.db.smp=4'));
      continue;
    }
    const path = s.slice(0, eq).split('.');
    const valueText = s.slice(eq + 1);
    const value = parseDocument(valueText).toJSON();
    const keys: (string | number)[] = [];
    let node: unknown = doc.contents;
    for (const seg of path) {
      if (isSeq(node)) {
        let idx = /^\d+$/.test(seg) ? Number(seg) : node.items.findIndex((it) => itemName(it, ctx) === seg);
        if (idx < 0 || idx >= node.items.length) {
          const names = node.items.map((it) => itemName(it, ctx) ?? '').filter(Boolean);
          const sug = suggest(seg, names);
          ctx.errors.push(new InputError(`--set ${s}: no item "${seg}" in ${keys.join('.') || 'the scenario'}`, '--set', undefined, undefined, sug ? `did you mean "${sug}"?` : `items: ${names.join(', ')}`));
          idx = -1;
        }
        if (idx < 0) {
          node = undefined;
          break;
        }
        keys.push(idx);
        node = node.items[idx];
      } else {
        keys.push(seg);
        node = isMap(node) ? node.get(seg, true) : undefined;
      }
    }
    if (keys.length === path.length) doc.setIn(keys, doc.createNode(value));
  }
}

export interface LoadOptions {
  sets?: string[];
  seed?: number;
  duration?: string;
}

/** Read a scenario file: parse YAML → validate with positions → normalise → assemble the guests' programs. */
export function loadScenario(file: string, opts: LoadOptions = {}): Scenario {
  return parseScenario(readInput(file, 'scenario file', 'check the path; shipped scenarios are in scenarios/'), file, opts);
}

/** Parse a scenario's text: YAML with positions, then the command line's overrides (--set, --seed, --duration). */
function parseStage(text: string, file: string, opts: LoadOptions): { doc: Document; ctx: Ctx } {
  const { doc, ctx } = parseYaml(text, file);
  if (doc.contents === null || !isMap(doc.contents)) throw new InputError('a scenario is a YAML mapping with host: and guests:', file, 1, 1, 'see scenarios/overcommit-16on4.yaml');
  applySets(doc, opts.sets ?? [], ctx);
  if (opts.seed !== undefined) doc.set('seed', doc.createNode(opts.seed));
  if (opts.duration !== undefined) doc.set('duration', doc.createNode(opts.duration));
  return { doc, ctx };
}

/**
 * Prepare the host: read the host file (host.from), check that the host has
 * CPUs, resolve its CPU model.
 */
function prepareHost(ctx: Ctx, doc: Document, v: Record<string, any>): { host: HostDef; hostCpu: CpuIdentity; hostCpuName: string } {
  const { file, lc } = ctx;
  const host = v.host;
  // host.kernel picks the fair scheduler unless scheduler.kind is written (src/scheduler/kernels.ts).
  if (host && typeof host.kernel === 'string') {
    try {
      const k = parseKernel(host.kernel);
      if (doc.getIn(['host', 'scheduler', 'kind']) === undefined) host.scheduler.kind = kernelScheduler(k, 1).kind;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      ctx.errors.push(at(ctx, doc.getIn(['host', 'kernel'], true) as Node, `host.kernel: ${e.message}`, e.hint));
    }
  }
  // Only a topology the user wrote overrides `cpus`; the filled-in defaults do not.
  if (host && !doc.getIn(['host', 'topology'])) host.topology = undefined;
  // The CPU a /proc/cpuinfo host file describes, used unless host.cpu is written.
  let fileCpu: { id: NonNullable<HostFile['cpuId']>; name: string; flags: string[]; node: Node | null } | undefined;
  if (host && typeof host.from === 'string') {
    const node = (doc.getIn(['host', 'from'], true) as Node) ?? null;
    const path = resolve(dirname(file), host.from);
    try {
      const hf = parseHostFile(readFileSync(path, 'utf8'), host.from);
      // Linux numbers CPUs itself; keep its numbering, and count SMT threads per core in order.
      const seen = new Map<string, number>();
      host.places = [...hf.cpus]
        .sort((a, b) => a.cpu - b.cpu)
        .map((c) => {
          const key = `${c.socket}/${c.core}`;
          const thread = seen.get(key) ?? 0;
          seen.set(key, thread + 1);
          return { socket: c.socket, core: c.core, thread, node: c.node };
        });
      if (hf.mhz && doc.getIn(['host', 'freq']) === undefined) host.freq = Math.round(hf.mhz * 1e6);
      if (hf.cpuId && hf.flags) fileCpu = { id: hf.cpuId, name: hf.modelName ?? `${hf.cpuId.vendor} family ${hf.cpuId.family} model ${hf.cpuId.model}`, flags: hf.flags, node };
    } catch (e) {
      if (e instanceof HostFileError) ctx.errors.push(new InputError(`host.from: ${e.message}`, file, node?.range ? lc.linePos(node.range[0]).line : undefined, node?.range ? lc.linePos(node.range[0]).col : undefined, 'save `cat /proc/cpuinfo` or `lscpu -p` from the host'));
      else ctx.errors.push(at(ctx, node, `host.from: cannot read "${host.from}"`, `looked for ${path}`));
    }
  }
  if (host && host.cpus === undefined && !host.topology && !host.places && host.from === undefined && doc.getIn(['host', 'cpus']) === undefined) {
    ctx.errors.push(at(ctx, doc.get('host', true) as Node, 'host needs "cpus" or "topology"', 'e.g. host: { cpus: 4 }'));
  }
  let hostCpuName: string = v.host?.cpu ?? SCENARIO.host.fields.cpu.default;
  let hostCpu = hostIdentity(hostCpuName);
  if (fileCpu && doc.getIn(['host', 'cpu']) === undefined) {
    const fromFile = hostIdentityFromFile(fileCpu.id, fileCpu.name, fileCpu.flags);
    if (typeof fromFile === 'string') ctx.errors.push(at(ctx, fileCpu.node, `host.from: ${fromFile}`, 'name the host model with host.cpu instead'));
    else {
      hostCpu = fromFile;
      hostCpuName = fileCpu.name;
    }
  }
  if (!hostCpu) {
    const s = suggest(hostCpuName, cpuModelNamesInListOrder());
    ctx.errors.push(at(ctx, (doc.getIn(['host', 'cpu'], true) as Node) ?? null, `host.cpu: "${hostCpuName}" is not a CPU model a host can be`, s ? `did you mean "${s}"?` : 'see simvm cpu-models'));
    hostCpu = hostIdentity(SCENARIO.host.fields.cpu.default)!;
  }
  return { host, hostCpu, hostCpuName };
}

/**
 * Prepare guest `i`: its -smp topology, its CPU model against the host's,
 * its workload's program read and assembled. Undefined when any of it is
 * wrong (the errors are in ctx).
 */
function prepareGuest(ctx: Ctx, v: Record<string, any>, g: any, i: number, gmap: YAMLMap | null, hostCpu: CpuIdentity, hostCpuName: string): GuestDef | undefined {
  const { file, lc, text } = ctx;
  const smpNode = (gmap?.get('smp', true) as Node | undefined) ?? null;
  let smp: GuestTopology | undefined;
  const smpText = g.smp === undefined || g.smp === null ? '' : String(g.smp);
  let machineType: MachineType | undefined;
  try {
    if (typeof g.machine === 'string') machineType = resolveMachine(g.machine);
  } catch (e) {
    if (!(e instanceof MachineError)) throw e;
    // The field's validation has already named the bad value.
    return undefined;
  }
  try {
    smp = parseSmp(smpText, { machineType });
  } catch (e) {
    if (e instanceof SmpError) ctx.errors.push(at(ctx, smpNode ?? gmap, `guests[${i}].smp: ${e.message}`, e.hint));
    else throw e;
  }
  // A field that failed validation is already reported; do not build on it.
  if (!smp || !g.workload || typeof g.cpu !== 'string') return undefined;
  let identity: CpuIdentity;
  const cpuNode = (gmap?.get('cpu', true) as Node | undefined) ?? gmap;
  try {
    identity = resolveCpuModel(g.cpu, hostCpu!, { accel: 'kvm', ...(machineType && { release: machineType.release }) });
    if (machineType) identity = identityForRelease(identity, g.cpu, machineType.release);
  } catch (e) {
    if (e instanceof CpuModelError) {
      ctx.errors.push(at(ctx, cpuNode, `guests[${i}].cpu: ${e.message}`, e.hint));
      return undefined;
    }
    throw e;
  }
  const missing = checkHostSupports(identity, hostCpu!);
  if (missing.length) {
    ctx.errors.push(at(ctx, cpuNode, `guests[${i}].cpu: ${g.cpu} needs CPU features host ${hostCpuName} lacks:\n${hostUnsupportedMessage(missing)}`, `choose an older model (simvm migrate-check helps) or a newer host.cpu`));
    return undefined;
  }
  const wnode = (gmap?.get('workload', true) as Node | undefined) ?? null;
  const wk = g.workload.kind as WorkloadKind;
  const w = { ...g.workload };
  // A parameter that failed validation is already reported: building the
  // program from it would only add a confusing second error.
  if (Object.entries(WORKLOADS[wk].params).some(([k, f]) => (f as { default?: unknown }).default !== undefined && w[k] === undefined)) return undefined;
  let srcNode: Node | null = null;
  let srcFile = file;
  let lineOffset = 0;
  let colOffset = 0;
  if (wk === 'program') {
    const wmap = wnode && isMap(wnode) ? wnode : null;
    if (w.file) {
      const pf = resolve(dirname(file), w.file);
      try {
        w.source = readFileSync(pf, 'utf8');
      } catch {
        ctx.errors.push(at(ctx, wmap?.get('file', true) as Node, `workload file "${w.file}" cannot be read`, `looked for ${pf}`));
        return undefined;
      }
      srcFile = w.file;
    } else if (typeof w.source === 'string') {
      srcNode = (wmap?.get('source', true) as Node) ?? null;
      if (srcNode?.range) {
        const start = srcNode.range[0];
        const p = lc.linePos(start);
        const blockScalar = /^[|>]/.test(text.slice(start, start + 1));
        lineOffset = blockScalar ? p.line : p.line - 1;
        const firstLine = text.split('\n')[lineOffset] ?? '';
        colOffset = blockScalar ? firstLine.length - firstLine.trimStart().length : p.col - 1;
      }
    } else {
      ctx.errors.push(at(ctx, wnode, `guests[${i}].workload: a program workload needs "source" or "file"`));
      return undefined;
    }
  }
  const instance = WORKLOADS[wk].build(w, { maxcpus: smp.maxcpus, freqHz: v.host?.freq ?? SCENARIO.host.fields.freq.default });
  let program: Program;
  try {
    program = assemble(instance.source);
  } catch (e) {
    if (e instanceof AsmError) {
      ctx.errors.push(new InputError(`guest ${g.name}: program: ${e.message}`, srcFile, e.line + lineOffset, e.col + colOffset, e.hint));
      return undefined;
    }
    throw e;
  }
  if (wk === 'program' && !program.probes.includes(instance.throughput.counter)) {
    ctx.errors.push(at(ctx, wnode, `guest ${g.name}: the program has no "count ${instance.throughput.counter}" probe to measure throughput`, program.probes.length ? `its probes: ${program.probes.join(', ')}; set workload.throughput` : 'add `count ops` where one operation completes'));
  }
  if (program.features.has('avx2') && !identity.flags.includes('avx2')) {
    // Not an error: the op raises #UD at run time, reported per guest, as it would in life.
  }
  // Open-loop arrivals are events the run must hold; refuse a rate that
  // would swamp it before spending minutes finding out.
  if (wk === 'request' && typeof w.rate === 'number' && typeof v.duration === 'number') {
    // warmup: auto measures after at most half a pilot run of the duration.
    const warm = v.warmup === 'auto' ? v.duration / 2 : (v.warmup ?? 0);
    const arrivals = w.rate * ((v.duration + warm) / 1e9) * g.count;
    if (arrivals > MAX_ARRIVALS) {
      const rateNode = wnode && isMap(wnode) ? (wnode.get('rate', true) as Node) : wnode;
      ctx.errors.push(at(ctx, rateNode, `guests[${i}].workload.rate: ${w.rate}/s for ${(v.duration + warm) / 1e9}s on ${plural(g.count, 'guest')} makes ${Math.round(arrivals).toLocaleString('en-US')} requests, more than a run can hold (${MAX_ARRIVALS.toLocaleString('en-US')})`, 'lower the rate or the duration'));
      return undefined;
    }
  }
  return { ...g, smp, smpText, machineType, workload: w, instance, program, identity };
}

/** Check what needs the whole host and every guest: the timeline's commands and targets, pinning, isolcpus and nohz_full. */
function checkPlacement(ctx: Ctx, doc: Document, v: Record<string, any>, host: HostDef, guests: GuestDef[]): TimelineCommand[] {
  const { file } = ctx;
  const guestNodes = (doc.get('guests', true) as Node | undefined) ?? null;
  const timeline: TimelineCommand[] = [];
  if (host && guests.length && !ctx.errors.length) {
    const ncpus = hostPlaces(host).length;
    const tnodes = doc.get('timeline', true);
    const expanded = guests.flatMap((g) => Array.from({ length: g.count }, (_, k) => ({ def: g, name: g.count > 1 ? `${g.name}-${k + 1}` : g.name })));
    const present = new Map(expanded.map((e) => [e.name, new Set(Array.from({ length: e.def.smp.cpus }, (_, i) => i))]));
    const entries = ((v.timeline ?? []) as any[]).map((t, i) => ({ t, i, node: isSeq(tnodes) ? (tnodes.items[i] as Node) : null }));
    entries.sort((a, b) => (a.t?.at ?? 0) - (b.t?.at ?? 0) || a.i - b.i);
    const offlineCpus = new Set<number>();
    // Numeric taskset targets name a pid or lwp present at boot.
    const tids = bootTids(pidInput({ host, guests }, ncpus));
    for (const { t, i, node } of entries) {
      if (!t || t.at === undefined) continue;
      const m = node && isMap(node) ? node : null;
      const cmdNode = (key: string) => (m?.get(key, true) as Node | undefined) ?? node;
      if ((t.monitor === undefined) === (t.host === undefined)) {
        ctx.errors.push(at(ctx, node, `timeline[${i}] needs exactly one of "monitor" or "host"`));
        continue;
      }
      if (t.monitor !== undefined) {
        const g = expanded.find((e) => e.name === t.guest);
        if (!g) {
          const s = t.guest ? suggest(t.guest, expanded.map((e) => e.name)) : undefined;
          ctx.errors.push(at(ctx, cmdNode('guest'), t.guest ? `timeline[${i}]: no guest named "${t.guest}"` : `timeline[${i}]: a monitor command needs "guest"`, s ? `did you mean "${s}"?` : `guests: ${expanded.map((e) => e.name).join(', ')}`));
          continue;
        }
        const r = parseMonitor(t.monitor, { name: g.name, threads: g.def.smp.threads, cpus: g.def.smp.cpus, maxcpus: g.def.smp.maxcpus, sockets: g.def.smp.sockets, dies: g.def.smp.dies, cores: g.def.smp.cores }, present.get(g.name)!, t.at);
        if ('message' in r) ctx.errors.push(at(ctx, cmdNode('monitor'), `timeline[${i}]: ${r.message}`, r.hint));
        else timeline.push(r);
      } else {
        const r = parseHost(t.host, ncpus, t.at, offlineCpus);
        if ('message' in r) ctx.errors.push(at(ctx, cmdNode('host'), `timeline[${i}]: ${r.message}`, r.hint));
        else if (r.kind === 'chcpu') timeline.push(r);
        else {
          // Symbolic targets are checked here; numeric pids/lwps when the model exists.
          const sym = /^([A-Za-z0-9_][A-Za-z0-9_.-]*?)(?:\/(main|vcpu(\d+)))?$/.exec(r.target);
          if (!/^\d+$/.test(r.target)) {
            const g = sym ? expanded.find((e) => e.name === sym[1]) : undefined;
            if (!sym || !g) {
              const s = sym ? suggest(sym[1], expanded.map((e) => e.name)) : undefined;
              ctx.errors.push(at(ctx, cmdNode('host'), `timeline[${i}]: taskset target "${r.target}" names no guest thread`, s ? `did you mean "${s}"?` : 'use a pid/lwp, or guest, guest/main, guest/vcpuN'));
              continue;
            }
            if (sym[3] !== undefined && !present.get(g.name)!.has(Number(sym[3]))) {
              ctx.errors.push(at(ctx, cmdNode('host'), `timeline[${i}]: guest ${g.name} has no vCPU ${sym[3]} at ${formatNs(t.at)}`, `its vCPUs then: ${[...present.get(g.name)!].join(', ')}`));
              continue;
            }
          }
          const e = at(ctx, cmdNode('host'), '');
          if (e.line) r.where = { line: e.line, col: e.col ?? 1 };
          if (/^\d+$/.test(r.target) && !tids.has(Number(r.target))) {
            ctx.errors.push(new InputError(`timeline: taskset: no process or thread ${r.target}`, file, r.where?.line, r.where?.col, 'simvm view <scenario> ps lists the pids and lwps'));
            continue;
          }
          timeline.push(r);
        }
      }
    }
    // Pinning must name host CPUs that exist.
    guests.forEach((g, gi) => {
      const gm = isSeq(guestNodes) ? (guestNodes.items[gi] as Node) : null;
      const node = (k: string) => (gm && isMap(gm) ? (gm.get(k, true) as Node) : gm);
      for (const [k, lists] of [['pin', g.pin ?? []], ['emulator_pin', g.emulator_pin ? [g.emulator_pin] : []]] as [string, number[][]][]) {
        for (const l of lists) {
          const bad = l.find((c) => c >= ncpus);
          if (bad !== undefined) ctx.errors.push(at(ctx, node(k), `guests[${gi}].${k}: host CPU ${bad} does not exist (the host has CPUs 0-${ncpus - 1})`));
          if (l.length === 0) ctx.errors.push(at(ctx, node(k), `guests[${gi}].${k}: an empty CPU list leaves the thread nowhere to run`));
        }
      }
    });
    const iso = host.isolcpus as number[];
    const isoBad = iso.find((c) => c >= ncpus);
    if (isoBad !== undefined) ctx.errors.push(at(ctx, (doc.getIn(['host', 'isolcpus'], true) as Node) ?? null, `host.isolcpus: host CPU ${isoBad} does not exist (the host has CPUs 0-${ncpus - 1})`));
    else if (iso.length >= ncpus) ctx.errors.push(at(ctx, (doc.getIn(['host', 'isolcpus'], true) as Node) ?? null, 'host.isolcpus covers every host CPU: ordinary threads would have nowhere to run', 'leave at least one CPU out of isolcpus'));
    const nohzBad = (host.nohz_full as number[]).find((c) => c >= ncpus);
    if (nohzBad !== undefined) ctx.errors.push(at(ctx, (doc.getIn(['host', 'nohz_full'], true) as Node) ?? null, `host.nohz_full: host CPU ${nohzBad} does not exist (the host has CPUs 0-${ncpus - 1})`));
  }
  return timeline;
}

/**
 * A scenario from its text, in stages: parse (YAML, overrides) → validate
 * (every field against the table in fields.ts, defaults filled in) →
 * prepare (host file read, CPU models resolved, programs assembled) →
 * check what spans host and guests (timeline, pinning). Every error of
 * every stage is collected and thrown together as InputErrors.
 */
export function parseScenario(text: string, file: string, opts: LoadOptions = {}): Scenario {
  const { doc, ctx } = parseStage(text, file, opts);
  const warnings: InputWarning[] = [];
  expandLibvirtGuests(doc, ctx, warnings);
  const v = checkFields(ctx, doc.contents as Node, SCENARIO, '', ['host', 'guests']);
  const guestNodes = (doc.get('guests', true) as Node | undefined) ?? null;
  const { host, hostCpu, hostCpuName } = prepareHost(ctx, doc, v);
  const guests: GuestDef[] = [];
  const names = new Set<string>();
  (v.guests ?? []).forEach((g: any, i: number) => {
    const gnode = isSeq(guestNodes) ? (guestNodes.items[i] as Node) : null;
    const gmap = gnode && isMap(gnode) ? gnode : null;
    if (!g || !g.name) return;
    if (names.has(g.name)) ctx.errors.push(at(ctx, gmap?.get('name', true) as Node, `two guests are named "${g.name}"`, 'guest names must be unique'));
    names.add(g.name);
    const def = prepareGuest(ctx, v, g, i, gmap, hostCpu, hostCpuName);
    if (def) guests.push(def);
  });
  const timeline = checkPlacement(ctx, doc, v, host, guests);
  if (ctx.errors.length) throw new InputErrors(ctx.errors);
  const name = v.name ?? basename(file).replace(/\.ya?ml$/i, '');
  return {
    file,
    name,
    description: v.description,
    seed: v.seed,
    duration: v.duration,
    warmup: v.warmup === 'auto' ? 0 : v.warmup,
    warmupAuto: v.warmup === 'auto',
    host,
    guests,
    report: { percentiles: v.report.percentiles ?? DEFAULT_PERCENTILES, per_vcpu: v.report.per_vcpu, sample_interval: v.report.sample_interval },
    timeline,
    hostCpu: hostCpu!,
    migration: v.migration?.hosts ?? [],
    text: String(doc),
    warnings: warnings.map(formatWarning),
  };
}

/** The host's CPU count and model as far as the scenario says them, before it is validated (for mapping domains). */
function preliminaryHost(doc: Document, ctx: Ctx): { cpus: number; cpuName: string; cpu: CpuIdentity } {
  const scratch: Ctx = { ...ctx, errors: [] };
  const hostField = SCENARIO.host as Extract<Field, { type: 'object' }>;
  const h = checkFields(scratch, (doc.get('host', true) as Node) ?? null, hostField.fields, 'host');
  let cpus = 4096;
  if (typeof h.from === 'string') {
    try {
      cpus = parseHostFile(readFileSync(resolve(dirname(ctx.file), h.from), 'utf8'), h.from).cpus.length;
    } catch {
      // Reported when the host is validated.
    }
  } else if (doc.getIn(['host', 'topology']) && h.topology) cpus = hostPlaces(h).length || cpus;
  else if (typeof h.cpus === 'number') cpus = h.cpus;
  const cpuName = typeof h.cpu === 'string' && hostIdentity(h.cpu) ? h.cpu : 'Skylake-Server';
  return { cpus, cpuName, cpu: hostIdentity(cpuName)! };
}

/**
 * Guests written as `- libvirt: web.xml`: the domain's fields (name, smp,
 * cpu, pin, emulator_pin, memory) go into the guest's mapping, unless the
 * scenario writes them itself, and the vCPUs libvirt hot-plugs at start
 * become `cpu-add` commands at 0s. Added nodes carry the position of the
 * `libvirt:` value, so a later error about them points there.
 */
function expandLibvirtGuests(doc: Document, ctx: Ctx, warnings: InputWarning[]): void {
  const guests = doc.get('guests', true);
  if (!isSeq(guests)) return;
  let host: ReturnType<typeof preliminaryHost> | undefined;
  for (const item of guests.items) {
    if (!isMap(item)) continue;
    const ref = item.get('libvirt', true) as Node | undefined;
    if (!ref) continue;
    if (!isScalar(ref) || typeof ref.value !== 'string') {
      ctx.errors.push(at(ctx, ref, 'libvirt must be the path of a domain XML file', 'e.g. libvirt: web.xml (relative to the scenario)'));
      continue;
    }
    host ??= preliminaryHost(doc, ctx);
    const rel = ref.value;
    const path = resolve(dirname(ctx.file), rel);
    // Messages name the domain file as the scenario does, beside the scenario's own directory.
    const shown = isAbsolute(rel) ? rel : join(dirname(ctx.file), rel);
    let mapped;
    try {
      mapped = mapDomain(readDomainFile(path, shown), shown, host);
    } catch (e) {
      if (e instanceof InputErrors) ctx.errors.push(...e.errors);
      else if (e instanceof InputError) ctx.errors.push(e);
      else throw e;
      // The domain's error says it all: no second one for the name it would have given.
      if (!item.has('name')) item.set('name', doc.createNode(basename(rel).replace(/\.xml$/i, '').replace(/[^A-Za-z0-9_.-]/g, '-') || 'domain'));
      continue;
    }
    // An smp written beside libvirt: replaces the domain's vCPUs, its hot-plugs included.
    const ownSmp = item.has('smp');
    warnings.push(...mapped.warnings);
    // The guest is now written out in full: the text parses again (a sweep's runs) without the domain file.
    item.delete('libvirt');
    item.commentBefore = ` from libvirt: ${rel}`;
    for (const [k, value] of Object.entries(mapped.guest)) {
      if (item.has(k)) continue;
      const node = doc.createNode(value) as Node;
      node.range = ref.range;
      item.set(doc.createNode(k), node);
    }
    if (mapped.hotplug.length && !ownSmp) {
      const name = String(item.get('name') ?? mapped.guest.name);
      const count = Number(item.get('count') ?? 1);
      const names = Number.isInteger(count) && count > 1 ? Array.from({ length: Math.min(count, 10_000) }, (_, k) => `${name}-${k + 1}`) : [name];
      if (!doc.has('timeline')) doc.set('timeline', doc.createNode([]));
      for (const n of names)
        for (const id of mapped.hotplug) {
          const cmd = doc.createNode({ at: '0s', guest: n, monitor: `cpu-add ${id}` }) as Node;
          cmd.range = ref.range;
          doc.addIn(['timeline'], cmd);
        }
    }
  }
}
