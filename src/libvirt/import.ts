/**
 * `simvm import libvirt DOMAIN.xml ... [--host FILE] [-o scenario.yaml]`:
 * the domains as a scenario a user reads and edits. Each guest is written
 * out field by field (not as a `libvirt:` reference), with the XML element
 * each field came from and every warning as comments beside it.
 *
 *   DOMAIN.xml ──readDomainFile──▶ elements ──mapDomain──▶ guest + warnings ──render──▶ YAML
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { hostIdentity } from '../cpu/models/host.js';
import { InputError } from '../util/errors.js';
import { parseCpuList } from '../util/units.js';
import { HostFileError, parseHostFile } from '../topology/hostfile.js';
import { mapDomain, formatWarning, type DomainHost, type MappedDomain } from './domain.js';
import { readDomainFile } from './xml.js';

export interface ImportOptions {
  /** A host's /proc/cpuinfo or `lscpu -p` output (becomes host.from). */
  host?: string;
  /** Where the scenario will be written: host.from is made relative to it. */
  out?: string;
}

export interface Imported {
  yaml: string;
  /** `file:line:col: warning: ...` lines, for stderr. */
  warnings: string[];
}

/** Host CPU model when nothing says otherwise (the scenario default). */
const DEFAULT_HOST_CPU = 'Skylake-Server';
/** Most domains one import reads. */
export const MAX_IMPORT_DOMAINS = 256;

const scalar = (v: unknown): string => stringify(v, { lineWidth: 0 }).trimEnd();

export function importLibvirt(files: string[], opts: ImportOptions = {}): Imported {
  if (files.length > MAX_IMPORT_DOMAINS) throw new InputError(`${files.length} domain files: at most ${MAX_IMPORT_DOMAINS} in one import`, undefined, undefined, undefined, 'import them in groups');
  const roots = files.map((f) => ({ file: f, root: readDomainFile(f) }));
  const cpuName = DEFAULT_HOST_CPU;
  let hostCpus: number;
  let hostFrom: string | undefined;
  if (opts.host) {
    let text: string;
    try {
      text = readFileSync(opts.host, 'utf8');
    } catch (e) {
      throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, opts.host, undefined, undefined, 'save `cat /proc/cpuinfo` or `lscpu -p` from the host');
    }
    try {
      hostCpus = parseHostFile(text, opts.host).cpus.length;
    } catch (e) {
      if (e instanceof HostFileError) throw new InputError(`--host: ${e.message}`, undefined, undefined, undefined, 'save `cat /proc/cpuinfo` or `lscpu -p` from the host');
      throw e;
    }
    hostFrom = relative(dirname(resolve(opts.out ?? 'scenario.yaml')), resolve(opts.host));
  } else {
    // No host given: one just big enough for every CPU the domains pin to, at least 4.
    const probe: DomainHost = { cpus: 16384, cpuName, cpu: hostIdentity(cpuName)! };
    let top = 3;
    for (const { file, root } of roots) {
      const g = mapDomain(root, file, probe).guest;
      for (const l of [...(g.pin ?? []), ...(g.emulator_pin ? [g.emulator_pin] : [])]) top = Math.max(top, ...parseCpuList(l));
    }
    hostCpus = top + 1;
  }
  const host: DomainHost = { cpus: hostCpus, cpuName, cpu: hostIdentity(cpuName)! };
  const mapped: { file: string; m: MappedDomain }[] = roots.map(({ file, root }) => ({ file, m: mapDomain(root, file, host) }));
  const names = new Set<string>();
  for (const { file, m } of mapped) {
    if (names.has(m.guest.name)) throw new InputError(`two domains are named "${m.guest.name}"`, file, undefined, undefined, 'guest names must be unique: rename one domain, or import them separately');
    names.add(m.guest.name);
  }
  return { yaml: render(files, mapped, hostCpus, hostFrom, cpuName), warnings: mapped.flatMap(({ m }) => m.warnings.map(formatWarning)) };
}

function render(files: string[], mapped: { file: string; m: MappedDomain }[], hostCpus: number, hostFrom: string | undefined, cpuName: string): string {
  const out: string[] = [];
  out.push(`# Imported with \`simvm import libvirt ${files.map((f) => basename(f)).join(' ')}\`.`);
  out.push('# Each guest below is its domain as simvm models it; comments list what');
  out.push('# the XML says that simvm does not model. Give each guest the workload');
  out.push('# it runs (simvm workloads: cpu, spinlock, request, io, ...).');
  out.push(`description: ${scalar(`libvirt domains ${mapped.map(({ m }) => m.guest.name).join(', ')}`)}`);
  out.push('seed: 1');
  out.push('duration: 10s');
  out.push('warmup: 1s');
  out.push('host:');
  if (hostFrom) out.push(`  from: ${scalar(hostFrom)}`);
  else out.push(`  cpus: ${hostCpus}   # just enough for the CPUs the domains pin to: describe your host (host.from: a saved /proc/cpuinfo)`);
  out.push(`  cpu: ${cpuName}   # the host's CPU model (simvm cpu-models)`);
  out.push('guests:');
  for (const { file, m } of mapped) {
    const g = m.guest;
    out.push(`  # from ${file}`);
    for (const w of m.warnings) out.push(`  #   not modelled: ${w.line}:${w.col}: ${w.message.replace(/\n/g, ' ')}`);
    out.push(`  - name: ${scalar(g.name)}`);
    out.push(`    smp: ${scalar(g.smp)}   # <vcpu>, <vcpus>, <cpu><topology>`);
    out.push(`    cpu: ${scalar(g.cpu)}   # <cpu mode>, <model>, <feature>, <features>`);
    if (g.pin) out.push(`    pin: [${g.pin.map((l) => (/^\d+$/.test(l) ? l : scalar(l))).join(', ')}]   # <vcpupin> / <vcpu cpuset>, one per vCPU (the last repeats)`);
    if (g.emulator_pin) out.push(`    emulator_pin: ${scalar(g.emulator_pin)}   # <emulatorpin> / <vcpu cpuset>`);
    if (g.memory) out.push(`    memory: ${g.memory}`);
    out.push('    workload:');
    out.push('      kind: idle   # what the guest runs: edit');
    if (m.pvspinlock !== undefined) out.push(`      # <pvspinlock state='${m.pvspinlock ? 'on' : 'off'}'/>: a spinlock workload would use lock: ${m.pvspinlock ? 'pv' : 'ticket'}`);
  }
  const plugs = mapped.flatMap(({ m }) => m.hotplug.map((id) => ({ guest: m.guest.name, id })));
  if (plugs.length) {
    out.push('# vCPUs libvirt hot-plugs before the guest starts (<vcpus> enabled and hotpluggable, in order).');
    out.push('timeline:');
    for (const p of plugs) out.push(`  - { at: 0s, guest: ${scalar(p.guest)}, monitor: cpu-add ${p.id} }`);
  }
  return out.join('\n') + '\n';
}
