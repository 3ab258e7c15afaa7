import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostIdentity } from '../../src/cpu/models/host.js';
import { mapDomain, parseLibvirtCpuset, type DomainHost } from '../../src/libvirt/domain.js';
import { MAX_DOMAIN_BYTES, parseXml, readDomainFile } from '../../src/libvirt/xml.js';
import { InputError, InputErrors } from '../../src/util/errors.js';

const host = (cpus = 8, cpuName = 'Skylake-Server'): DomainHost => ({ cpus, cpuName, cpu: hostIdentity(cpuName)! });

/** A domain with the given elements inside <domain>, its first line being line 1. */
const domain = (inner: string) => `<domain type='kvm'>\n  <name>vm</name>\n${inner}\n</domain>\n`;
const map = (inner: string, h = host()) => mapDomain(parseXml(domain(inner), 'd.xml'), 'd.xml', h);

/** The errors a domain raises, formatted as the CLI prints them. */
function errors(inner: string, h = host()): string[] {
  try {
    map(inner, h);
  } catch (e) {
    if (e instanceof InputErrors) return e.errors.map((x) => x.format());
    if (e instanceof InputError) return [e.format()];
    throw e;
  }
  throw new Error('no error');
}

const warnings = (inner: string) => map(inner).warnings.map((w) => `${w.line}:${w.col}: ${w.message}`);

describe('<vcpu>', () => {
  it('N vCPUs: -smp N with the topology libvirt writes when there is none (sockets=N, cores=1, threads=1)', () => {
    const m = map("  <vcpu placement='static'>4</vcpu>");
    expect(m.guest.smp).toBe('4,maxcpus=4,sockets=4,cores=1,threads=1');
    expect(m.guest.pin).toBeUndefined();
    expect(m.guest.emulator_pin).toBeUndefined();
    expect(m.hotplug).toEqual([]);
  });
  it('current: that many online at boot, up to the count (maxcpus)', () => {
    expect(map("  <vcpu current='2'>6</vcpu>").guest.smp).toBe('2,maxcpus=6,sockets=6,cores=1,threads=1');
  });
  it('cpuset: the default pinning of every vCPU and of the emulator, in libvirt syntax with ^ exclusions', () => {
    const m = map("  <vcpu cpuset='1-4,^3,6'>2</vcpu>");
    expect(m.guest.pin).toEqual(['1-2,4,6']);
    expect(m.guest.emulator_pin).toBe('1-2,4,6');
  });
  it("placement='auto' (numad) is a warning, and cpuset is ignored as libvirt ignores it", () => {
    const m = map("  <vcpu placement='auto' cpuset='1'>2</vcpu>");
    expect(m.guest.pin).toBeUndefined();
    expect(warnings("  <vcpu placement='auto' cpuset='1'>2</vcpu>")).toEqual([
      "3:19: <vcpu placement='auto'>: numad's placement is not modelled; the vCPUs run unpinned (cpuset is ignored, as libvirt ignores it with placement auto)",
    ]);
  });
  it('bad values are errors at the value, with a fix', () => {
    expect(errors('  <vcpu>four</vcpu>')).toEqual(["simvm: error: d.xml:3:3: <vcpu> must be a whole number, got 'four'\n  hint: e.g. 1"]);
    expect(errors("  <vcpu placement='dynamic'>2</vcpu>")).toEqual(["simvm: error: d.xml:3:19: <vcpu placement='dynamic'>: placement must be one of static, auto\n  hint: libvirt's domain schema allows static, auto"]);
    expect(errors("  <vcpu current='5'>4</vcpu>")[0]).toBe('simvm: error: d.xml:3:17: <vcpu current> must be between 1 and 4, got 5');
    expect(errors("  <vcpu cpuset='3-1'>2</vcpu>")[0]).toBe("simvm: error: d.xml:3:16: <vcpu cpuset='3-1'>: the range '3-1' runs backwards\n  hint: write it as libvirt does: '1-4,^3,6'");
    expect(errors("  <vcpu cpuset='9'>2</vcpu>")[0]).toBe("simvm: error: d.xml:3:16: <vcpu cpuset='9'>: host CPU 9 does not exist (the host has CPUs 0-7)\n  hint: pin to CPUs the host has, or describe the host with host.from / --host");
  });
});

describe("libvirt's cpuset syntax", () => {
  it('adds ranges and takes out exclusions', () => {
    expect(parseLibvirtCpuset('0-7,^2,^5')).toEqual([0, 1, 3, 4, 6, 7]);
    expect(parseLibvirtCpuset('3')).toEqual([3]);
  });
  it('refuses what virBitmapParse refuses', () => {
    expect(parseLibvirtCpuset('^1')).toEqual({ message: 'the set is empty once its exclusions are taken out' });
    expect(parseLibvirtCpuset('a')).toEqual({ message: "'a' is not a CPU, a range like 1-4 or an exclusion like ^3" });
    expect(parseLibvirtCpuset('^1-2')).toEqual({ message: "'^1-2': an exclusion names one CPU" });
  });
});

describe('<vcpus>', () => {
  const vcpus = (rows: string) => `  <vcpu current='3'>4</vcpu>\n  <vcpus>\n${rows}\n  </vcpus>`;
  it('boots the enabled non-hotpluggable vCPUs and hot-plugs the enabled hotpluggable ones in order', () => {
    const m = map(
      vcpus(
        [
          "    <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>",
          "    <vcpu id='1' enabled='no' hotpluggable='yes'/>",
          "    <vcpu id='2' enabled='yes' hotpluggable='yes' order='3'/>",
          "    <vcpu id='3' enabled='yes' hotpluggable='yes' order='2'/>",
        ].join('\n'),
      ),
    );
    expect(m.guest.smp).toBe('1,maxcpus=4,sockets=4,cores=1,threads=1');
    expect(m.hotplug).toEqual([3, 2]);
  });
  it("refuses what libvirt's qemuDomainDefVcpusPostParse refuses, with its messages", () => {
    const off0 = vcpus(["    <vcpu id='0' enabled='no' hotpluggable='yes'/>", "    <vcpu id='1' enabled='yes' hotpluggable='no'/>", "    <vcpu id='2' enabled='yes' hotpluggable='yes'/>", "    <vcpu id='3' enabled='yes' hotpluggable='yes'/>"].join('\n'));
    expect(errors(off0)).toContain("simvm: error: d.xml:4:3: vcpu 0 can't be offline\n  hint: enable vCPU 0: it is the boot CPU");
    const after = vcpus(["    <vcpu id='0' enabled='yes' hotpluggable='no'/>", "    <vcpu id='1' enabled='yes' hotpluggable='yes'/>", "    <vcpu id='2' enabled='yes' hotpluggable='no'/>", "    <vcpu id='3' enabled='no' hotpluggable='yes'/>"].join('\n'));
    expect(errors(after)).toEqual([
      'simvm: error: d.xml:4:3: online non-hotpluggable vcpus need to be ordered prior to hotpluggable vcpus\n  hint: vCPU 2 is not hotpluggable but vCPU 1 is: QEMU boots the first vCPUs with -smp N and hot-plugs the others',
    ]);
    const count = vcpus(["    <vcpu id='0' enabled='yes' hotpluggable='no'/>", "    <vcpu id='1' enabled='no' hotpluggable='yes'/>", "    <vcpu id='2' enabled='no' hotpluggable='yes'/>", "    <vcpu id='3' enabled='no' hotpluggable='yes'/>"].join('\n'));
    expect(errors(count)).toEqual(['simvm: error: d.xml:4:3: <vcpus> enables 1 vCPUs but <vcpu current> says 3\n  hint: make the count of enabled vCPUs equal <vcpu current=...>']);
    expect(errors(vcpus("    <vcpu id='4' enabled='yes'/>"))[0]).toBe('simvm: error: d.xml:5:14: <vcpu id> must be between 0 and 3, got 4');
  });
});

describe('<cputune>', () => {
  it('vcpupin pins each vCPU; one without takes <vcpu cpuset>, else every host CPU; emulatorpin pins the emulator', () => {
    const m = map("  <vcpu cpuset='0-3'>3</vcpu>\n  <cputune>\n    <vcpupin vcpu='0' cpuset='4'/>\n    <vcpupin vcpu='2' cpuset='5-6'/>\n    <emulatorpin cpuset='7'/>\n  </cputune>");
    expect(m.guest.pin).toEqual(['4', '0-3', '5-6']);
    expect(m.guest.emulator_pin).toBe('7');
    const all = map("  <vcpu>2</vcpu>\n  <cputune>\n    <vcpupin vcpu='1' cpuset='2'/>\n  </cputune>", host(4));
    expect(all.guest.pin).toEqual(['0-3', '2']);
    expect(all.guest.emulator_pin).toBeUndefined();
  });
  it('simvm pin lists drop repeats of the last item', () => {
    expect(map("  <vcpu>3</vcpu>\n  <cputune>\n    <vcpupin vcpu='0' cpuset='1'/>\n    <vcpupin vcpu='1' cpuset='2'/>\n    <vcpupin vcpu='2' cpuset='2'/>\n  </cputune>").guest.pin).toEqual(['1', '2']);
  });
  it('refuses a pin of a vCPU the domain lacks, a duplicate, and a host CPU that does not exist', () => {
    expect(errors("  <vcpu>2</vcpu>\n  <cputune>\n    <vcpupin vcpu='2' cpuset='1'/>\n  </cputune>")).toEqual(['simvm: error: d.xml:5:19: <vcpupin vcpu> must be between 0 and 1, got 2']);
    expect(errors("  <vcpu>2</vcpu>\n  <cputune>\n    <vcpupin vcpu='0' cpuset='1'/>\n    <vcpupin vcpu='0' cpuset='2'/>\n  </cputune>")).toEqual(['simvm: error: d.xml:6:19: duplicate vcpupin for vCPU 0\n  hint: give each vCPU one <vcpupin>']);
    expect(errors("  <vcpu>1</vcpu>\n  <cputune>\n    <emulatorpin cpuset='8'/>\n  </cputune>")[0]).toMatch(/^simvm: error: d\.xml:5:25: <emulatorpin cpuset='8'>: host CPU 8 does not exist/);
  });
  it('every cgroup and scheduling element simvm does not model is a warning at its position', () => {
    const inner = [
      '  <vcpu>2</vcpu>',
      '  <cputune>',
      '    <shares>2048</shares>',
      '    <period>100000</period>',
      '    <quota>50000</quota>',
      '    <global_period>100000</global_period>',
      '    <global_quota>200000</global_quota>',
      '    <emulator_period>100000</emulator_period>',
      '    <emulator_quota>10000</emulator_quota>',
      '    <iothread_period>100000</iothread_period>',
      '    <iothread_quota>10000</iothread_quota>',
      "    <vcpusched vcpus='0' scheduler='fifo' priority='1'/>",
      "    <iothreadpin iothread='1' cpuset='3'/>",
      '  </cputune>',
    ].join('\n');
    expect(warnings(inner)).toEqual([
      "5:5: <shares>2048</shares>: the domain's cgroup CPU weight (cpu.shares / cpu.weight) is not modelled",
      "6:5: <period>100000</period>: CFS bandwidth control of each vCPU thread's cgroup (cpu.max of vcpuN) is not modelled",
      "7:5: <quota>50000</quota>: CFS bandwidth control of each vCPU thread's cgroup (cpu.max of vcpuN) is not modelled",
      "8:5: <global_period>100000</global_period>: CFS bandwidth control of the whole domain's cgroup (cpu.max) is not modelled",
      "9:5: <global_quota>200000</global_quota>: CFS bandwidth control of the whole domain's cgroup (cpu.max) is not modelled",
      '10:5: <emulator_period>100000</emulator_period>: CFS bandwidth control of the emulator cgroup (cpu.max) is not modelled',
      '11:5: <emulator_quota>10000</emulator_quota>: CFS bandwidth control of the emulator cgroup (cpu.max) is not modelled',
      '12:5: <iothread_period>100000</iothread_period>: CFS bandwidth control of the I/O thread cgroups (cpu.max) is not modelled',
      '13:5: <iothread_quota>10000</iothread_quota>: CFS bandwidth control of the I/O thread cgroups (cpu.max) is not modelled',
      "14:5: <vcpusched vcpus='0' scheduler='fifo' priority='1'/>: real-time and batch scheduling policies are not modelled; the threads run SCHED_OTHER",
      "15:5: <iothreadpin iothread='1' cpuset='3'/>: simvm models no I/O threads (<iothreads>), so there is nothing to pin",
    ]);
  });
});

describe('<cpu>', () => {
  it('host-passthrough is -cpu host; maximum is -cpu max; host-model the host model, with a warning', () => {
    expect(map("  <cpu mode='host-passthrough'/>").guest.cpu).toBe('host');
    expect(map("  <cpu mode='maximum'/>").guest.cpu).toBe('max');
    expect(map("  <cpu mode='host-model'/>", host(8, 'Broadwell')).guest.cpu).toBe('Broadwell');
    expect(warnings("  <cpu mode='host-model'/>")).toEqual(["3:13: <cpu mode='host-model'>: the guest gets the host's model Skylake-Server (libvirt would add the host's extra features as well)"]);
  });
  it('custom: the named model; none at all is QEMU default qemu64', () => {
    expect(map("  <cpu mode='custom' match='exact'><model fallback='forbid'>Haswell</model></cpu>").guest.cpu).toBe('Haswell');
    expect(map('').guest.cpu).toBe('qemu64');
    expect(map("  <cpu><topology sockets='1' cores='1' threads='1'/></cpu>").guest.cpu).toBe('qemu64');
    expect(errors("  <cpu mode='custom'><model>Skylake-Servr</model></cpu>")).toEqual(["simvm: error: d.xml:3:22: <model>Skylake-Servr</model> is not a CPU model simvm knows\n  hint: did you mean 'Skylake-Server'? (simvm cpu-models lists them)"]);
    expect(warnings("  <cpu mode='custom' match='minimum'><model>Haswell</model></cpu>")).toEqual(["3:28: <cpu match='minimum'>: the guest gets exactly the model and features listed (libvirt may add host features)"]);
  });
  it('feature policies follow formatdomain.rst against the host', () => {
    const cpu = (f: string, h = host()) => map(`  <cpu mode='custom'><model>Haswell</model>${f}</cpu>`, h).guest.cpu;
    expect(cpu("<feature policy='force' name='sha-ni'/>")).toBe('Haswell,+sha-ni');
    expect(cpu("<feature policy='require' name='pcid'/>")).toBe('Haswell,+pcid');
    expect(cpu("<feature name='pcid'/>")).toBe('Haswell,+pcid');
    expect(cpu("<feature policy='optional' name='avx512f'/>")).toBe('Haswell,+avx512f');
    expect(cpu("<feature policy='optional' name='avx512f'/>", host(8, 'Broadwell'))).toBe('Haswell');
    expect(cpu("<feature policy='disable' name='hle'/>")).toBe('Haswell,-hle');
    expect(cpu("<feature policy='forbid' name='sha-ni'/>")).toBe('Haswell,-sha-ni');
    expect(errors("  <cpu mode='custom'><model>Haswell</model><feature policy='require' name='sha-ni'/></cpu>")).toEqual([
      "simvm: error: d.xml:3:75: <feature policy='require' name='sha-ni'>: the host (Skylake-Server) does not have sha-ni, so libvirt would not start the domain\n  hint: use policy='optional', or a host that has it",
    ]);
    expect(errors("  <cpu mode='custom'><model>Haswell</model><feature policy='forbid' name='avx2'/></cpu>")[0]).toMatch(/^simvm: error: d\.xml:3:74: <feature policy='forbid' name='avx2'>: the host \(Skylake-Server\) has avx2/);
    expect(errors("  <cpu mode='custom'><model>Haswell</model><feature policy='maybe' name='avx2'/></cpu>")[0]).toBe(
      "simvm: error: d.xml:3:60: <feature policy='maybe'>: policy must be one of force, require, optional, disable, forbid\n  hint: libvirt's domain schema allows force, require, optional, disable, forbid",
    );
    expect(errors("  <cpu mode='custom'><model>Haswell</model><feature name='warp-drive'/></cpu>")[0]).toBe("simvm: error: d.xml:3:58: <feature name='warp-drive'> is not a CPU feature simvm knows\n  hint: use the QEMU / libvirt name, e.g. vmx, avx2, pcid");
  });
  it('features apply to host-passthrough too', () => {
    expect(map("  <cpu mode='host-passthrough'><feature policy='disable' name='vmx'/></cpu>").guest.cpu).toBe('host,-vmx');
  });
  it('topology: sockets, dies, cores and threads become -smp; it must multiply to <vcpu>; x86 has no clusters', () => {
    expect(map("  <vcpu current='6'>8</vcpu>\n  <cpu><topology sockets='2' dies='1' clusters='1' cores='2' threads='2'/></cpu>").guest.smp).toBe('6,maxcpus=8,sockets=2,cores=2,threads=2');
    expect(map("  <vcpu>8</vcpu>\n  <cpu><topology sockets='1' dies='2' cores='2' threads='2'/></cpu>").guest.smp).toBe('8,maxcpus=8,sockets=1,dies=2,cores=2,threads=2');
    expect(errors("  <vcpu>8</vcpu>\n  <cpu><topology sockets='1' cores='2' threads='2'/></cpu>")).toEqual([
      "simvm: error: d.xml:4:8: CPU topology doesn't match maximum vcpu count: 1*1*1*2*2 = 4, <vcpu> is 8\n  hint: sockets x dies x clusters x cores x threads must equal <vcpu>",
    ]);
    expect(errors("  <vcpu>8</vcpu>\n  <cpu><topology sockets='1' clusters='2' cores='2' threads='2'/></cpu>")).toEqual([
      "simvm: error: d.xml:4:39: <topology clusters='2'>: the x86 pc and q35 machines have no clusters\n  hint: use clusters='1' (or leave it out)",
    ]);
  });
});

describe('<os>, <features>, <numatune>, <memory> and the rest', () => {
  it('the machine type is kept as a warning; a non-x86 arch is an error', () => {
    expect(warnings("  <os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>")).toEqual([
      "3:35: <type machine='pc-q35-8.2'>: the machine type is not modelled (simvm fills in -smp as the pre-6.2 pc machines do; libvirt writes every topology field, so this changes nothing here)",
    ]);
    expect(errors("  <os><type arch='aarch64'>hvm</type></os>")).toEqual(["simvm: error: d.xml:3:18: <type arch='aarch64'>: simvm models x86 guests only\n  hint: use arch='x86_64'"]);
  });
  it('hint-dedicated and pvspinlock become the KVM CPUID bits libvirt sets', () => {
    const m = map("  <features><kvm><hint-dedicated state='on'/><pv-ipi state='off'/></kvm><pvspinlock state='off'/></features>");
    expect(m.guest.cpu).toBe('qemu64,+kvm-hint-dedicated,-kvm-pv-ipi,-kvm-pv-unhalt');
    expect(m.pvspinlock).toBe(false);
    expect(map("  <features><pvspinlock/></features>").pvspinlock).toBe(true);
    expect(warnings("  <features><acpi/><kvm><hidden state='on'/></kvm></features>")).toEqual(['3:13: <features><acpi/></features> is not modelled', "3:25: <kvm><hidden state='on'/></kvm> is not modelled"]);
  });
  it('numatune is a warning per element; memory takes libvirt units (KiB by default)', () => {
    expect(warnings("  <numatune>\n    <memory mode='strict' nodeset='0'/>\n    <memnode cellid='0' mode='strict' nodeset='1'/>\n  </numatune>")).toEqual([
      "4:5: <numatune><memory mode='strict' nodeset='0'/></numatune>: guest memory placement on host NUMA nodes is not modelled",
      "5:5: <numatune><memnode cellid='0' mode='strict' nodeset='1'/></numatune>: guest memory placement on host NUMA nodes is not modelled",
    ]);
    expect(map('  <memory>1048576</memory>').guest.memory).toBe('1G');
    expect(map("  <memory unit='MiB'>1536</memory>").guest.memory).toBe('1536M');
    expect(map("  <memory unit='GB'>1</memory>").guest.memory).toBe('1000000000B');
  });
  it('other top-level elements are warned about, identity ones are not', () => {
    expect(warnings("  <uuid>x</uuid>\n  <title>t</title>\n  <devices/>\n  <clock offset='utc'/>")).toEqual(['5:3: <devices> is not modelled', '6:3: <clock> is not modelled']);
  });
  it("a domain that is not type='kvm' is a warning; a name with other characters is renamed, with a warning", () => {
    const m = mapDomain(parseXml("<domain type='qemu'><name>web server</name></domain>", 'd.xml'), 'd.xml', host());
    expect(m.guest.name).toBe('web-server');
    expect(m.warnings.map((w) => w.message)).toEqual(["<domain type='qemu'>: simvm runs every guest under KVM (type='kvm')", '<name>web server</name>: simvm guest names take letters, digits, dot, dash and underscore; named "web-server"']);
  });
});

describe('XML errors', () => {
  const parseErr = (text: string) => {
    try {
      mapDomain(parseXml(text, 'd.xml'), 'd.xml', host());
    } catch (e) {
      return (e as InputError).format();
    }
    return 'no error';
  };
  it('a malformed document: the parser position and a fix', () => {
    expect(parseErr("<domain type='kvm'>\n  <vcpu>2</cpu>\n</domain>")).toBe(
      'simvm: error: d.xml:2:9: XML: Opening and ending tag mismatch: "vcpu" != "cpu"\n  hint: the file is not well-formed XML: check the tags around this point (virsh dumpxml writes a valid domain)',
    );
    expect(parseErr('')).toMatch(/^simvm: error: d\.xml:1:1: XML: missing root element/);
  });
  it('the wrong root element', () => {
    expect(parseErr("<?xml version='1.0'?>\n<network><name>x</name></network>")).toBe('simvm: error: d.xml:2:1: the root element is <network>, not <domain>\n  hint: give the XML of a domain, as `virsh dumpxml DOMAIN` prints it');
  });
  it('files are read only up to a size limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simvm-lv-'));
    const f = join(dir, 'big.xml');
    writeFileSync(f, `<domain>${' '.repeat(MAX_DOMAIN_BYTES)}</domain>`);
    expect(() => readDomainFile(f)).toThrow(/more than a domain can be/);
    expect(() => readDomainFile(join(dir, 'none.xml'))).toThrow(/no such file/);
  });
});

describe('bounds', () => {
  it('a domain full of mistakes stops at 50 errors', () => {
    const pins = Array.from({ length: 500 }, (_, i) => `    <vcpupin vcpu='${i + 10}' cpuset='0'/>`).join('\n');
    const errs = errors(`  <vcpu>2</vcpu>\n  <cputune>\n${pins}\n  </cputune>`);
    expect(errs).toHaveLength(50);
  });
});

describe('<cpu> attributes with no model in simvm', () => {
  it('check=none and migratable are warnings', () => {
    expect(warnings("  <cpu mode='custom' check='none'><model>Haswell</model></cpu>")).toEqual(["3:28: <cpu check='none'>: simvm still refuses a model whose features the host lacks (libvirt would leave that to QEMU)"]);
    expect(warnings("  <cpu mode='host-passthrough' migratable='on'/>")).toEqual(["3:43: <cpu migratable='on'>: not modelled (the guest sees every feature of the mode)"]);
  });
});
