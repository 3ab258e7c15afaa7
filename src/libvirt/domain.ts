/**
 * A libvirt domain (the XML `virsh dumpxml` prints) as a simvm guest.
 *
 *   DOMAIN.xml ──parseXml──▶ elements with positions ──mapDomain──▶ guest fields + warnings
 *
 * One mapper serves both `simvm import libvirt` (which writes the fields as
 * scenario YAML) and a scenario's `guests: - libvirt: web.xml` (which merges
 * them into the guest before validation).
 *
 * What libvirt does with each element, from its domain schema
 * (src/conf/schemas/domaincommon.rng) and docs/formatdomain.rst, and the
 * QEMU command line it builds (src/qemu/qemu_command.c):
 *
 *   <vcpu placement cpuset current>N   max vCPUs N; `current` online at boot;
 *                                      cpuset = default pinning of vCPUs and
 *                                      emulator (placement static only)
 *   <vcpus><vcpu id enabled hotpluggable order>
 *                                      qemuBuildSmpCommandLine counts only the
 *                                      enabled, non-hotpluggable vCPUs in
 *                                      `-smp N`; enabled hotpluggable ones are
 *                                      hot-plugged before the guest starts,
 *                                      in `order` (qemuProcessSetupHotpluggableVcpus)
 *   <cpu><topology sockets dies clusters cores threads>
 *                                      `-smp N,maxcpus=M,sockets=..,cores=..,threads=..`;
 *                                      without it libvirt writes sockets=M,cores=1,threads=1
 *   <cputune><vcpupin>/<emulatorpin>  sched_setaffinity of the vCPU / emulator threads
 *   <cpu mode match check><model><feature policy>
 *                                      `-cpu MODEL,+f,-f` (host-passthrough: `-cpu host`)
 *   <features><kvm><hint-dedicated>    `kvm-hint-dedicated=on`
 *   <features><pvspinlock state>       `kvm-pv-unhalt=on|off`
 *
 * Everything else is reported as a warning with its position, never dropped
 * silently.
 */
import { canonicalFeatureName, featureByQemuName, KVM_PV_FEATURES } from '../cpu/models/features.js';
import { findCpuModel, cpuModelNamesInListOrder } from '../cpu/models/catalogue.js';
import { kvmSupportedFlags } from '../cpu/models/index.js';
import type { CpuIdentity } from '../cpu/models/types.js';
import { parseSmp, SmpError } from '../topology/smp.js';
import { InputError, InputErrors } from '../util/errors.js';
import { formatCpuList } from '../util/units.js';
import { suggest } from '../util/suggest.js';
import type { Pos, XmlAttr, XmlElement } from './xml.js';

/** A warning about the input: something it says that simvm does not model. */
export interface InputWarning extends Pos {
  file: string;
  message: string;
}

export const formatWarning = (w: InputWarning): string => `${w.file}:${w.line}:${w.col}: warning: ${w.message}`;

/** The guest fields a domain gives, as scenario YAML writes them. */
export interface DomainGuest {
  name: string;
  smp: string;
  cpu: string;
  pin?: string[];
  emulator_pin?: string;
  memory?: string;
}

export interface MappedDomain {
  guest: DomainGuest;
  /** QEMU indexes of the vCPUs libvirt hot-plugs before the guest starts, in libvirt's order. */
  hotplug: number[];
  /** `<pvspinlock state>`: the lock flavour a spinlock workload should use. */
  pvspinlock?: boolean;
  warnings: InputWarning[];
}

/** What the mapper needs to know of the host the domain would run on. */
export interface DomainHost {
  /** Logical CPUs of the host. */
  cpus: number;
  /** The host's catalogue model name (host.cpu) and its identity. */
  cpuName: string;
  cpu: CpuIdentity;
}

/** Largest vCPU count read from a domain (libvirt's own limit is 16384; QEMU's pc machines take 255). */
const MAX_VCPUS = 4096;
/** Largest CPU number in a cpuset (libvirt's VIR_DOMAIN_CPUMASK_LEN is 16384). */
const MAX_CPUSET_CPU = 16383;

/** Errors collected from one domain before giving up on it. */
const MAX_ERRORS = 50;

/** Top-level elements that name or describe the domain and change nothing it does. */
const IDENTITY = new Set(['name', 'uuid', 'genid', 'title', 'description', 'metadata']);

class Ctx {
  readonly errors: InputError[] = [];
  readonly warnings: InputWarning[] = [];
  constructor(readonly file: string) {}
  error(at: Pos, message: string, hint?: string): void {
    this.errors.push(new InputError(message, this.file, at.line, at.col, hint));
    // Enough to act on: a file full of mistakes is not read to its end.
    if (this.errors.length >= MAX_ERRORS) throw new InputErrors(this.errors);
  }
  warn(at: Pos, message: string): void {
    this.warnings.push({ file: this.file, line: at.line, col: at.col, message });
  }
}

const child = (el: XmlElement | undefined, name: string) => el?.children.find((c) => c.name === name);
const childrenNamed = (el: XmlElement | undefined, name: string) => el?.children.filter((c) => c.name === name) ?? [];

/** A short rendering of an element for messages: `<shares>2048</shares>`, `<vcpusched vcpus='0' scheduler='fifo'/>`. */
export function show(el: XmlElement): string {
  const attrs = [...el.attrs].map(([k, a]) => ` ${k}='${a.value}'`).join('');
  if (el.children.length) return `<${el.name}${attrs}>...</${el.name}>`;
  return el.text ? `<${el.name}${attrs}>${el.text}</${el.name}>` : `<${el.name}${attrs}/>`;
}

function enumAttr<T extends string>(ctx: Ctx, el: XmlElement, name: string, values: readonly T[], def?: T): T | undefined {
  const a = el.attrs.get(name);
  if (!a) return def;
  if (!(values as readonly string[]).includes(a.value)) {
    const s = suggest(a.value, values);
    ctx.error(a, `<${el.name} ${name}='${a.value}'>: ${name} must be one of ${values.join(', ')}`, s ? `did you mean '${s}'?` : `libvirt's domain schema allows ${values.join(', ')}`);
    return undefined;
  }
  return a.value as T;
}

/** An unsigned integer as libvirt reads one (virStrToLong_ui: decimal digits). */
function uint(ctx: Ctx, at: Pos, text: string, what: string, min: number, max: number): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) {
    ctx.error(at, `${what} must be a whole number, got '${text}'`, `e.g. ${Math.max(min, 1)}`);
    return undefined;
  }
  const n = Number(text);
  if (n < min || n > max) {
    ctx.error(at, `${what} must be ${min === max ? min : `between ${min} and ${max}`}, got ${n}`);
    return undefined;
  }
  return n;
}

function uintAttr(ctx: Ctx, el: XmlElement, name: string, min: number, max: number): number | undefined {
  const a = el.attrs.get(name);
  return a ? uint(ctx, a, a.value, `<${el.name} ${name}>`, min, max) : undefined;
}

/**
 * libvirt's CPU-set syntax (virBitmapParse, docs/formatdomain.rst): a comma
 * list of CPUs `3`, ranges `1-4` and exclusions `^3` applied after the
 * additions. "1-4,^3,6" is CPUs 1, 2, 4, 6.
 */
export function parseLibvirtCpuset(text: string): number[] | { message: string } {
  const add = new Set<number>();
  const remove = new Set<number>();
  const parts = text.split(',');
  if (!text.trim()) return { message: 'an empty CPU set' };
  for (const raw of parts) {
    const part = raw.trim();
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return { message: `'${part}' is not a CPU, a range like 1-4 or an exclusion like ^3` };
    const a = Number(m[2]);
    const b = m[3] !== undefined ? Number(m[3]) : a;
    if (m[1] && m[3] !== undefined) return { message: `'${part}': an exclusion names one CPU` };
    if (b < a) return { message: `the range '${part}' runs backwards` };
    if (b > MAX_CPUSET_CPU) return { message: `CPU ${b} is beyond libvirt's limit of ${MAX_CPUSET_CPU}` };
    for (let i = a; i <= b; i++) (m[1] ? remove : add).add(i);
  }
  const out = [...add].filter((c) => !remove.has(c)).sort((x, y) => x - y);
  if (!out.length) return { message: 'the set is empty once its exclusions are taken out' };
  return out;
}

function cpusetAttr(ctx: Ctx, el: XmlElement, name: string, hostCpus: number): number[] | undefined {
  const a = el.attrs.get(name);
  if (!a) return undefined;
  const r = parseLibvirtCpuset(a.value);
  if (!Array.isArray(r)) {
    ctx.error(a, `<${el.name} ${name}='${a.value}'>: ${r.message}`, "write it as libvirt does: '1-4,^3,6'");
    return undefined;
  }
  const bad = r.find((c) => c >= hostCpus);
  if (bad !== undefined) {
    ctx.error(a, `<${el.name} ${name}='${a.value}'>: host CPU ${bad} does not exist (the host has CPUs 0-${hostCpus - 1})`, 'pin to CPUs the host has, or describe the host with host.from / --host');
    return undefined;
  }
  return r;
}

function needAttr(ctx: Ctx, el: XmlElement, name: string, example: string): XmlAttr | undefined {
  const a = el.attrs.get(name);
  if (!a) ctx.error(el, `<${el.name}> needs a '${name}' attribute`, `e.g. ${example}`);
  return a;
}

/** libvirt's memory units (virDomainParseScaledValue / virScaleInteger): the default is KiB. */
const MEMORY_UNITS: Record<string, number> = { b: 1, bytes: 1, KB: 1e3, k: 1024, KiB: 1024, MB: 1e6, M: 1024 ** 2, MiB: 1024 ** 2, GB: 1e9, G: 1024 ** 3, GiB: 1024 ** 3, TB: 1e12, T: 1024 ** 4, TiB: 1024 ** 4 };

function memoryText(bytes: number): string {
  for (const [suffix, k] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) if (bytes % k === 0) return `${bytes / k}${suffix}`;
  return `${bytes}B`;
}

/** The guest name a domain's `<name>` gives: simvm's characters only (others become '-'). */
export function domainName(root: XmlElement): string | undefined {
  const text = child(root, 'name')?.text;
  if (!text) return undefined;
  return text.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '') || 'domain';
}

/** Turn the parsed `<domain>` into a guest. Throws InputErrors with file:line:col; warnings are returned. */
export function mapDomain(root: XmlElement, file: string, host: DomainHost): MappedDomain {
  const ctx = new Ctx(file);
  if (root.name !== 'domain') throw new InputError(`the root element is <${root.name}>, not <domain>`, file, root.line, root.col, 'give the XML of a domain, as `virsh dumpxml DOMAIN` prints it');
  const type = root.attrs.get('type');
  if (!type) ctx.error(root, "<domain> needs a 'type' attribute", "e.g. <domain type='kvm'>");
  else if (type.value !== 'kvm') ctx.warn(type, `<domain type='${type.value}'>: simvm runs every guest under KVM (type='kvm')`);

  // The name here; then one function per group: <vcpu>/<vcpus>, <topology>, <cpu>, <features>, <cputune>, the rest.
  const nameEl = child(root, 'name');
  const name = domainName(root) ?? 'domain';
  if (!nameEl || !nameEl.text) ctx.error(nameEl ?? root, '<domain> needs a <name>', 'e.g. <name>web</name>');
  else if (name !== nameEl.text) ctx.warn(nameEl, `<name>${nameEl.text}</name>: simvm guest names take letters, digits, dot, dash and underscore; named "${name}"`);

  const vcpus = mapVcpus(ctx, root, host);
  const smp = mapTopology(ctx, root, vcpus);
  const model = mapCpu(ctx, child(root, 'cpu'), host);
  const { plus, pvspinlock } = mapFeatures(ctx, root);
  const { pin, emulatorPin } = mapCputune(ctx, root, vcpus, host);
  const memory = mapRest(ctx, root);

  if (ctx.errors.length) throw new InputErrors(ctx.errors);
  const guest: DomainGuest = { name, smp, cpu: [model, ...plus].join(',') };
  if (pin) guest.pin = pin;
  if (emulatorPin) guest.emulator_pin = formatCpuList(emulatorPin);
  if (memory) guest.memory = memory;
  return { guest, hotplug: vcpus.hotplug, pvspinlock, warnings: ctx.warnings.sort((a, b) => a.line - b.line || a.col - b.col) };
}

/** How many vCPUs, which are online at boot, which libvirt hot-plugs, and where they may run by default. */
interface Vcpus {
  max: number;
  /** Online at boot: the enabled non-hotpluggable vCPUs, 0..boot-1. */
  boot: number;
  hotplug: number[];
  /** <vcpu cpuset> with placement static. */
  defaultCpus?: number[];
  /** The element errors about the count point at. */
  at: Pos;
}

/** `<vcpu placement cpuset current>` and `<vcpus>`. */
function mapVcpus(ctx: Ctx, root: XmlElement, host: DomainHost): Vcpus {
  const vcpuEl = child(root, 'vcpu');
  let maxVcpus = 1;
  let current = 1;
  let placement: 'static' | 'auto' = 'static';
  let defaultCpus: number[] | undefined;
  if (vcpuEl) {
    maxVcpus = uint(ctx, vcpuEl, vcpuEl.text, '<vcpu>', 1, MAX_VCPUS) ?? 1;
    current = uintAttr(ctx, vcpuEl, 'current', 1, maxVcpus) ?? maxVcpus;
    placement = enumAttr(ctx, vcpuEl, 'placement', ['static', 'auto'] as const, 'static') ?? 'static';
    defaultCpus = cpusetAttr(ctx, vcpuEl, 'cpuset', host.cpus);
    if (placement === 'auto') {
      ctx.warn(vcpuEl.attrs.get('placement')!, "<vcpu placement='auto'>: numad's placement is not modelled; the vCPUs run unpinned" + (defaultCpus ? ' (cpuset is ignored, as libvirt ignores it with placement auto)' : ''));
      defaultCpus = undefined;
    }
  }

  // <vcpus>: which vCPUs are online at boot and which libvirt hot-plugs.
  const enabled: boolean[] = Array.from({ length: maxVcpus }, (_, i) => i < current);
  const hotpluggable: boolean[] = Array.from({ length: maxVcpus }, (_, i) => i >= current);
  const order: number[] = Array.from({ length: maxVcpus }, () => 0);
  const vcpusEl = child(root, 'vcpus');
  if (vcpusEl) {
    const seen = new Set<number>();
    for (const v of childrenNamed(vcpusEl, 'vcpu')) {
      const idA = needAttr(ctx, v, 'id', "<vcpu id='1' enabled='yes' hotpluggable='yes'/>");
      const id = idA ? uint(ctx, idA, idA.value, "<vcpu id>", 0, maxVcpus - 1) : undefined;
      if (id === undefined) continue;
      if (seen.has(id)) ctx.error(idA!, `<vcpus>: vCPU ${id} is described twice`);
      seen.add(id);
      const en = enumAttr(ctx, v, 'enabled', ['yes', 'no'] as const);
      const hp = enumAttr(ctx, v, 'hotpluggable', ['yes', 'no'] as const);
      if (en) enabled[id] = en === 'yes';
      if (hp) hotpluggable[id] = hp === 'yes';
      order[id] = uintAttr(ctx, v, 'order', 1, MAX_VCPUS) ?? 0;
      if (!enabled[id] && !hotpluggable[id]) ctx.error(v, `<vcpus>: vCPU ${id} is neither enabled nor hotpluggable`, "libvirt refuses a vCPU that can never come online: set enabled='yes' or hotpluggable='yes'");
    }
    const online = enabled.filter(Boolean).length;
    if (vcpuEl && online !== current) ctx.error(vcpusEl, `<vcpus> enables ${online} vCPUs but <vcpu current> says ${current}`, 'make the count of enabled vCPUs equal <vcpu current=...>');
  }
  // libvirt's checks (src/qemu/qemu_postparse.c, qemuDomainDefVcpusPostParse), with its messages.
  const at0 = vcpusEl ?? vcpuEl ?? root;
  if (!enabled[0]) ctx.error(at0, "vcpu 0 can't be offline", "enable vCPU 0: it is the boot CPU");
  else if (hotpluggable[0]) ctx.error(at0, "vcpu0 can't be hotpluggable", "give vCPU 0 hotpluggable='no'");
  for (let i = 1; i < maxVcpus; i++) {
    // QEMU's -smp N boots vCPUs 0..N-1: the non-hotpluggable ones must come first.
    if (!hotpluggable[i] && hotpluggable[i - 1]) {
      ctx.error(vcpusEl ?? root, 'online non-hotpluggable vcpus need to be ordered prior to hotpluggable vcpus', `vCPU ${i} is not hotpluggable but vCPU ${i - 1} is: QEMU boots the first vCPUs with -smp N and hot-plugs the others`);
      break;
    }
  }
  const boot = enabled.filter((e, i) => e && !hotpluggable[i]).length;
  const hotplug = enabled
    .map((e, i) => ({ e, i, hp: hotpluggable[i], o: order[i] }))
    .filter((x) => x.e && x.hp)
    .sort((a, b) => (a.o || Infinity) - (b.o || Infinity) || a.i - b.i)
    .map((x) => x.i);

  return { max: maxVcpus, boot, hotplug, defaultCpus, at: vcpuEl ?? root };
}

/** `<cpu><topology>` as the -smp libvirt writes (qemuBuildSmpCommandLine). */
function mapTopology(ctx: Ctx, root: XmlElement, v: Vcpus): string {
  const { boot, max: maxVcpus } = v;
  const cpuEl = child(root, 'cpu');
  const topoEl = child(cpuEl, 'topology');
  let smp = `${boot},maxcpus=${maxVcpus},sockets=${maxVcpus},cores=1,threads=1`;
  const before = ctx.errors.length;
  if (topoEl) {
    const t: Record<string, number> = {};
    for (const k of ['sockets', 'dies', 'clusters', 'cores', 'threads']) {
      const a = topoEl.attrs.get(k);
      const req = k === 'sockets' || k === 'cores' || k === 'threads';
      if (!a) {
        if (req) ctx.error(topoEl, `<topology> needs '${k}'`, "e.g. <topology sockets='1' dies='1' cores='4' threads='2'/>");
        t[k] = 1;
        continue;
      }
      t[k] = uint(ctx, a, a.value, `<topology ${k}>`, 1, MAX_VCPUS) ?? 1;
    }
    const product = t.sockets * t.dies * t.clusters * t.cores * t.threads;
    if (product !== maxVcpus) ctx.error(topoEl, `CPU topology doesn't match maximum vcpu count: ${t.sockets}*${t.dies}*${t.clusters}*${t.cores}*${t.threads} = ${product}, <vcpu> is ${maxVcpus}`, 'sockets x dies x clusters x cores x threads must equal <vcpu>');
    if (t.clusters !== 1) ctx.error(topoEl.attrs.get('clusters')!, `<topology clusters='${t.clusters}'>: the x86 pc and q35 machines have no clusters`, "use clusters='1' (or leave it out)");
    smp = `${boot},maxcpus=${maxVcpus},sockets=${t.sockets}${t.dies !== 1 ? `,dies=${t.dies}` : ''},cores=${t.cores},threads=${t.threads}`;
  }
  // Reported already: QEMU's own message would only repeat it.
  if (ctx.errors.length === before) try {
    parseSmp(smp);
  } catch (e) {
    if (!(e instanceof SmpError)) throw e;
    ctx.error(topoEl ?? v.at, `QEMU would refuse -smp ${smp}: ${e.message}`, e.hint);
  }

  return smp;
}

/** `<features>`: the KVM CPUID bits libvirt adds to -cpu, and the pv spinlock switch. */
function mapFeatures(ctx: Ctx, root: XmlElement): { plus: string[]; pvspinlock?: boolean } {
  const plus: string[] = [];
  let pvspinlock: boolean | undefined;
  const featuresEl = child(root, 'features');
  for (const f of featuresEl?.children ?? []) {
    if (f.name === 'pvspinlock') {
      const st = enumAttr(ctx, f, 'state', ['on', 'off'] as const, 'on');
      if (st) {
        pvspinlock = st === 'on';
        plus.push(`${st === 'on' ? '+' : '-'}kvm-pv-unhalt`);
      }
    } else if (f.name === 'kvm') {
      // libvirt adds each <kvm> feature to -cpu (qemuBuildCpuCommandLine): kvm-hint-dedicated=on, kvm-pv-ipi=off, ...
      for (const k of f.children) {
        const st = enumAttr(ctx, k, 'state', ['on', 'off'] as const);
        const flag = { 'hint-dedicated': 'kvm-hint-dedicated', 'pv-ipi': 'kvm-pv-ipi' }[k.name];
        if (flag && st) plus.push(`${st === 'on' ? '+' : '-'}${flag}`);
        else if (!flag) ctx.warn(k, `<kvm>${show(k)}</kvm> is not modelled`);
      }
    } else ctx.warn(f, `<features>${show(f)}</features> is not modelled`);
  }

  return { plus, pvspinlock };
}

/** `<cputune>`: pinning of the vCPUs (`<vcpupin>`, else `<vcpu cpuset>`) and of the emulator; the rest is warned about. */
function mapCputune(ctx: Ctx, root: XmlElement, v: Vcpus, host: DomainHost): { pin?: string[]; emulatorPin?: number[] } {
  const { max: maxVcpus, defaultCpus } = v;
  const tune = child(root, 'cputune');
  const pins: (number[] | undefined)[] = Array.from({ length: maxVcpus }, () => undefined);
  let emulatorPin: number[] | undefined;
  for (const el of tune?.children ?? []) {
    switch (el.name) {
      case 'vcpupin': {
        const va = needAttr(ctx, el, 'vcpu', "<vcpupin vcpu='0' cpuset='2'/>");
        needAttr(ctx, el, 'cpuset', "<vcpupin vcpu='0' cpuset='2'/>");
        const v = va ? uint(ctx, va, va.value, '<vcpupin vcpu>', 0, maxVcpus - 1) : undefined;
        const set = cpusetAttr(ctx, el, 'cpuset', host.cpus);
        if (v === undefined || !set) break;
        if (pins[v]) ctx.error(va!, `duplicate vcpupin for vCPU ${v}`, 'give each vCPU one <vcpupin>');
        pins[v] = set;
        break;
      }
      case 'emulatorpin':
        needAttr(ctx, el, 'cpuset', "<emulatorpin cpuset='0-1'/>");
        emulatorPin = cpusetAttr(ctx, el, 'cpuset', host.cpus) ?? emulatorPin;
        break;
      case 'iothreadpin':
        ctx.warn(el, `${show(el)}: simvm models no I/O threads (<iothreads>), so there is nothing to pin`);
        break;
      case 'shares':
        ctx.warn(el, `${show(el)}: the domain's cgroup CPU weight (cpu.shares / cpu.weight) is not modelled`);
        break;
      case 'period':
      case 'quota':
        ctx.warn(el, `${show(el)}: CFS bandwidth control of each vCPU thread's cgroup (cpu.max of vcpuN) is not modelled`);
        break;
      case 'global_period':
      case 'global_quota':
        ctx.warn(el, `${show(el)}: CFS bandwidth control of the whole domain's cgroup (cpu.max) is not modelled`);
        break;
      case 'emulator_period':
      case 'emulator_quota':
        ctx.warn(el, `${show(el)}: CFS bandwidth control of the emulator cgroup (cpu.max) is not modelled`);
        break;
      case 'iothread_period':
      case 'iothread_quota':
        ctx.warn(el, `${show(el)}: CFS bandwidth control of the I/O thread cgroups (cpu.max) is not modelled`);
        break;
      case 'vcpusched':
      case 'iothreadsched':
      case 'emulatorsched':
        ctx.warn(el, `${show(el)}: real-time and batch scheduling policies are not modelled; the threads run SCHED_OTHER`);
        break;
      default:
        ctx.warn(el, `<cputune>${show(el)}</cputune> is not modelled`);
    }
  }
  let pin: string[] | undefined;
  if (pins.some(Boolean) || defaultCpus) {
    // libvirt: a vCPU without <vcpupin> takes <vcpu cpuset>, else every host CPU.
    const all = Array.from({ length: host.cpus }, (_, i) => i);
    const lists = pins.map((p) => formatCpuList(p ?? defaultCpus ?? all));
    // simvm's pin list repeats its last item: drop the repeats.
    while (lists.length > 1 && lists[lists.length - 1] === lists[lists.length - 2]) lists.pop();
    pin = lists;
  }

  // The emulator thread takes <emulatorpin>, else <vcpu cpuset>.
  return { pin, emulatorPin: emulatorPin ?? defaultCpus };
}

/** `<os>`, `<memory>`, `<numatune>`, `<iothreads>` and every other element: the memory size, and warnings. */
function mapRest(ctx: Ctx, root: XmlElement): string | undefined {
  const os = child(root, 'os');
  const osType = child(os, 'type');
  if (osType) {
    const arch = osType.attrs.get('arch');
    if (arch && !['x86_64', 'i686'].includes(arch.value)) ctx.error(arch, `<type arch='${arch.value}'>: simvm models x86 guests only`, "use arch='x86_64'");
    if (osType.text && osType.text !== 'hvm') ctx.error(osType, `<type>${osType.text}</type>: simvm models full virtualisation (hvm) only`, 'use <type>hvm</type>');
    const machine = osType.attrs.get('machine');
    if (machine) ctx.warn(machine, `<type machine='${machine.value}'>: the machine type is not modelled (simvm fills in -smp as the pre-6.2 pc machines do; libvirt writes every topology field, so this changes nothing here)`);
  }
  for (const el of os?.children ?? []) if (el.name !== 'type') ctx.warn(el, `<os>${show(el)}</os> is not modelled`);
  let memory: string | undefined;
  const memEl = child(root, 'memory');
  if (memEl) {
    const unit = memEl.attrs.get('unit');
    const k = unit ? MEMORY_UNITS[unit.value] : 1024;
    if (k === undefined) ctx.error(unit!, `<memory unit='${unit!.value}'>: unknown unit`, `libvirt's units: ${Object.keys(MEMORY_UNITS).join(', ')}`);
    const n = uint(ctx, memEl, memEl.text, '<memory>', 1, Number.MAX_SAFE_INTEGER);
    if (n !== undefined && k !== undefined) memory = memoryText(n * k);
  }
  const numatune = child(root, 'numatune');
  if (numatune) for (const el of numatune.children) ctx.warn(el, `<numatune>${show(el)}</numatune>: guest memory placement on host NUMA nodes is not modelled`);
  const iothreads = child(root, 'iothreads');
  if (iothreads) ctx.warn(iothreads, `${show(iothreads)}: I/O threads are not modelled`);
  const handled = new Set([...IDENTITY, 'vcpu', 'vcpus', 'cpu', 'cputune', 'features', 'os', 'memory', 'numatune', 'iothreads']);
  for (const el of root.children) if (!handled.has(el.name)) ctx.warn(el, `<${el.name}> is not modelled`);

  return memory;
}

/**
 * `<cpu mode match check>` with `<model>` and `<feature policy name>`, as the
 * `-cpu` string libvirt builds. Feature policies (formatdomain.rst, "CPU model
 * and topology"):
 *
 *   force     the guest gets it whether or not the host has it   → +f
 *   require   the domain does not start unless the host has it    → +f (the host must have it)
 *   optional  the guest gets it if the host has it               → +f or nothing
 *   disable   the guest does not get it                          → -f
 *   forbid    the domain does not start if the host has it       → -f (the host must lack it)
 */
function mapCpu(ctx: Ctx, cpuEl: XmlElement | undefined, host: DomainHost): string {
  if (!cpuEl) return 'qemu64';
  const mode = enumAttr(ctx, cpuEl, 'mode', ['custom', 'host-model', 'host-passthrough', 'maximum'] as const, 'custom');
  const match = enumAttr(ctx, cpuEl, 'match', ['minimum', 'exact', 'strict'] as const);
  const check = enumAttr(ctx, cpuEl, 'check', ['none', 'partial', 'full'] as const);
  if (check === 'none' && mode === 'custom') ctx.warn(cpuEl.attrs.get('check')!, "<cpu check='none'>: simvm still refuses a model whose features the host lacks (libvirt would leave that to QEMU)");
  const migratable = cpuEl.attrs.get('migratable');
  if (migratable) ctx.warn(migratable, `<cpu migratable='${migratable.value}'>: not modelled (the guest sees every feature of the mode)`);
  const modelEl = child(cpuEl, 'model');
  let model: string;
  switch (mode) {
    case 'host-passthrough':
      model = 'host';
      break;
    case 'maximum':
      model = 'max';
      break;
    case 'host-model':
      // libvirt picks the named model closest to the host and adds the host's
      // extra features; simvm's host *is* a catalogue model, so that model.
      model = host.cpuName;
      ctx.warn(cpuEl.attrs.get('mode')!, `<cpu mode='host-model'>: the guest gets the host's model ${host.cpuName} (libvirt would add the host's extra features as well)`);
      break;
    default: {
      if (!modelEl || !modelEl.text) {
        // A custom CPU with only topology or features keeps QEMU's default model.
        model = 'qemu64';
        break;
      }
      model = modelEl.text;
      const def = findCpuModel(model);
      if (!def || def.kind !== 'builtin') {
        const s = suggest(model, cpuModelNamesInListOrder());
        ctx.error(modelEl, `<model>${model}</model> is not a CPU model simvm knows`, s ? `did you mean '${s}'? (simvm cpu-models lists them)` : 'see simvm cpu-models');
      }
      if (match === 'minimum') ctx.warn(cpuEl.attrs.get('match')!, "<cpu match='minimum'>: the guest gets exactly the model and features listed (libvirt may add host features)");
    }
  }
  if (modelEl) {
    const fb = enumAttr(ctx, modelEl, 'fallback', ['allow', 'forbid'] as const);
    if (fb === 'allow' && mode === 'custom') ctx.warn(modelEl.attrs.get('fallback')!, "<model fallback='allow'>: simvm refuses a model the host cannot run instead of falling back to another");
    for (const k of ['vendor_id']) if (modelEl.attrs.has(k)) ctx.warn(modelEl.attrs.get(k)!, `<model ${k}>: not modelled`);
  }
  const supported = kvmSupportedFlags(host.cpu);
  const parts = [model];
  for (const el of cpuEl.children) {
    if (el.name === 'model' || el.name === 'topology') continue;
    if (el.name !== 'feature') {
      ctx.warn(el, `<cpu>${show(el)}</cpu> is not modelled`);
      continue;
    }
    const nameA = needAttr(ctx, el, 'name', "<feature policy='require' name='vmx'/>");
    const policy = enumAttr(ctx, el, 'policy', ['force', 'require', 'optional', 'disable', 'forbid'] as const, 'require');
    if (!nameA || !policy) continue;
    const canon = canonicalFeatureName(nameA.value);
    if (!canon) {
      ctx.error(nameA, `<feature name='${nameA.value}'> is not a CPU feature simvm knows`, 'use the QEMU / libvirt name, e.g. vmx, avx2, pcid');
      continue;
    }
    const linux = featureByQemuName(canon)?.linux;
    const hostHas = KVM_PV_FEATURES.includes(canon) || (linux !== undefined && supported.has(linux));
    switch (policy) {
      case 'force':
        parts.push(`+${canon}`);
        break;
      case 'require':
        if (!hostHas) ctx.error(nameA, `<feature policy='require' name='${nameA.value}'>: the host (${host.cpuName}) does not have ${canon}, so libvirt would not start the domain`, "use policy='optional', or a host that has it");
        else parts.push(`+${canon}`);
        break;
      case 'optional':
        if (hostHas) parts.push(`+${canon}`);
        break;
      case 'disable':
        parts.push(`-${canon}`);
        break;
      case 'forbid':
        if (hostHas) ctx.error(nameA, `<feature policy='forbid' name='${nameA.value}'>: the host (${host.cpuName}) has ${canon}, so libvirt would not start the domain`, "use policy='disable' to hide it from the guest");
        else parts.push(`-${canon}`);
        break;
    }
  }
  return parts.join(',');
}
