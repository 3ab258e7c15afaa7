import { describe, it, expect } from 'vitest';
import {
  CpuModelError,
  bestCommonModel,
  checkHostSupports,
  findCpuModel,
  guestFlags,
  hostUnsupportedMessage,
  migrateCheck,
  parseCpuSpec,
  resolveCpuModel,
  resolveCpuModelDetailed,
} from '../../../src/cpu/models/index.js';
import { EPYC_HOST, HASWELL_HOST, INTEL_HOST, IVY_HOST, SANDY_HOST } from './hosts.js';

function error(f: () => unknown): CpuModelError {
  try {
    f();
  } catch (e) {
    if (e instanceof CpuModelError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('parseCpuSpec', () => {
  it('splits model, +feat, -feat and key=value, canonicalising names', () => {
    expect(parseCpuSpec('Broadwell,+avx512f,-hle,x2apic=off,rtm,,+sse4_2,-sse3,lahf_lm=on')).toEqual({
      model: 'Broadwell',
      plus: ['avx512f', 'sse4.2'],
      minus: ['hle', 'pni'],
      props: [
        { name: 'x2apic', value: 'off' },
        { name: 'rtm', value: 'on' },
        { name: 'lahf-lm', value: 'on' },
      ],
      warnings: [],
      help: false,
    });
  });

  it('warns, as QEMU does, when +feat and feat= are mixed', () => {
    const spec = parseCpuSpec('qemu64,+x2apic,x2apic=off');
    expect(spec.warnings).toEqual([
      'warning: Ambiguous CPU model string. Don\'t mix both "+x2apic" and "x2apic=off"',
      "warning: Compatibility of ambiguous CPU model strings won't be kept on future QEMU versions",
    ]);
  });

  it('recognises help and refuses an empty option', () => {
    expect(parseCpuSpec('?').help).toBe(true);
    expect(parseCpuSpec('help').help).toBe(true);
    expect(error(() => parseCpuSpec('')).message).toBe('-cpu option cannot be empty');
  });

  it('refuses unknown features and bad values with QEMU messages', () => {
    const e = error(() => parseCpuSpec('Broadwell,+avx3'));
    expect(e.message).toBe("Property 'Broadwell-x86_64-cpu.avx3' not found");
    expect(e.hint).toMatch(/did you mean "avx2?"\?/);
    expect(error(() => parseCpuSpec('qemu64,-tsc_deadline')).message).toBe("Property 'qemu64-x86_64-cpu.tsc_deadline' not found");
    expect(parseCpuSpec('qemu64,tsc_deadline=on').props).toEqual([{ name: 'tsc-deadline', value: 'on' }]);
    expect(error(() => parseCpuSpec('qemu64,x2apic=maybe')).message).toBe("Parameter 'x2apic' expects 'on' or 'off'");
    expect(error(() => parseCpuSpec('qemu64,family=300')).message).toBe(
      "Property qemu64-x86_64-cpu.family doesn't take value 300 (minimum: 0, maximum: 270)",
    );
    expect(error(() => parseCpuSpec('qemu64,vendor=Intel')).message).toBe(
      "Property 'qemu64-x86_64-cpu.vendor' doesn't take value 'Intel'",
    );
    expect(error(() => parseCpuSpec('qemu64,frobnicate=on')).hint).toBeUndefined();
  });

  it('accepts properties that are not CPUID bits', () => {
    expect(() => parseCpuSpec('host,migratable=off,pmu=on,hv-relaxed,kvm=off,check,enforce,-kvmclock')).not.toThrow();
  });
});

describe('resolveCpuModel', () => {
  it('applies +feat and -feat, -feat winning, and grows the CPUID level to cover them', () => {
    const q = resolveCpuModel('qemu64,+avx2,-svm', INTEL_HOST);
    expect(q.flags).toContain('avx2');
    expect(q.flags).not.toContain('svm');
    expect(q.level).toBe(13);
    expect(resolveCpuModel('qemu32,+avx2', INTEL_HOST).level).toBe(7);
    expect(resolveCpuModel('qemu32,+lm', INTEL_HOST).xlevel).toBe(0x80000004);
    expect(resolveCpuModel('Opteron_G2', INTEL_HOST).xlevel).toBe(0x8000000a);
    expect(resolveCpuModel('qemu64,x2apic=on,-x2apic', INTEL_HOST).flags).not.toContain('x2apic');
    expect(resolveCpuModel('qemu64,x2apic=off,+x2apic', INTEL_HOST).flags).toContain('x2apic');
  });

  it('matches the -noTSX model when TSX is switched off by hand', () => {
    const byHand = resolveCpuModel('Broadwell,-hle,-rtm', INTEL_HOST);
    const model = resolveCpuModel('Broadwell-noTSX', INTEL_HOST);
    expect(byHand.flags).toEqual(model.flags);
    expect(model.modelId).toBe('Intel Core Processor (Broadwell, no TSX)');
  });

  it('sets identity properties', () => {
    const q = resolveCpuModel('qemu64,family=15,model=107,stepping=1,model-id=Athlon 64,vendor=GenuineIntel', INTEL_HOST);
    expect(q).toMatchObject({ family: 15, model: 107, stepping: 1, modelId: 'Athlon 64', vendor: 'GenuineIntel' });
  });

  it('under KVM takes the host vendor and kvm_default_props (x2apic on, svm off)', () => {
    const q = resolveCpuModel('qemu64', INTEL_HOST, { accel: 'kvm' });
    expect(q.vendor).toBe('GenuineIntel');
    expect(q.flags).toContain('x2apic');
    expect(q.flags).not.toContain('svm');
    expect(resolveCpuModel('qemu64,svm=on', INTEL_HOST, { accel: 'kvm' }).flags).toContain('svm');
    expect(resolveCpuModel('phenom', INTEL_HOST, { accel: 'kvm' }).flags).not.toContain('monitor');
  });

  it('copies the host for -cpu host, and only under KVM', () => {
    const h = resolveCpuModel('host', INTEL_HOST, { accel: 'kvm' });
    expect(h).toMatchObject({ name: 'host', vendor: 'GenuineIntel', modelId: INTEL_HOST.modelId, level: 20 });
    expect(h.flags).toEqual(expect.arrayContaining(['avx2', 'hypervisor', 'x2apic', 'arat']));
    for (const never of ['est', 'ht', 'invtsc', 'constant_tsc', 'nopl']) expect(h.flags).not.toContain(never);
    // kvm_intel nested=1 (the default since Linux 4.20) passes vmx on.
    expect(h.flags).toContain('vmx');
    const e = error(() => resolveCpuModel('host', INTEL_HOST));
    expect(e.message).toBe("CPU model 'host' requires KVM");
    expect(resolveCpuModel('max', INTEL_HOST)).toMatchObject({ vendor: 'AuthenticAMD', modelId: 'QEMU TCG CPU version 2.5+' });
    expect(resolveCpuModel('base', INTEL_HOST).flags).toEqual([]);
  });

  it('names the model it cannot find and suggests the closest', () => {
    const e = error(() => resolveCpuModel('Broadwel', INTEL_HOST));
    expect(e.message).toBe("unable to find CPU model 'Broadwel'");
    expect(e.hint).toMatch(/did you mean "Broadwell"\?/);
    expect(error(() => resolveCpuModel('broadwell', INTEL_HOST)).hint).toMatch(/"Broadwell"/);
  });
});

describe('host support', () => {
  it('lists what the host lacks in QEMU order, ignoring what KVM always offers', () => {
    const bw = resolveCpuModel('Broadwell', SANDY_HOST, { accel: 'kvm' });
    expect(checkHostSupports(bw, SANDY_HOST)).toEqual([
      'fma', 'pcid', 'movbe', 'f16c', 'rdrand',
      'fsgsbase', 'bmi1', 'hle', 'avx2', 'smep', 'bmi2', 'erms', 'invpcid', 'rtm', 'rdseed', 'adx', 'smap',
      'abm', '3dnowprefetch',
    ]);
    expect(checkHostSupports(resolveCpuModel('Broadwell', INTEL_HOST, { accel: 'kvm' }), INTEL_HOST)).toEqual([]);
  });

  it('reads spec_ctrl from the ibrs/ibpb a current host kernel prints instead', () => {
    const ibrs = resolveCpuModel('SandyBridge-IBRS', SANDY_HOST, { accel: 'kvm' });
    expect(checkHostSupports(ibrs, SANDY_HOST)).toEqual(['spec_ctrl']);
    const patched = { ...SANDY_HOST, flags: [...SANDY_HOST.flags, 'ibrs', 'ibpb', 'stibp'] };
    expect(checkHostSupports(ibrs, patched)).toEqual([]);
  });

  it('formats QEMU warnings with the CPUID leaf, register, QEMU name and bit', () => {
    expect(hostUnsupportedMessage(['avx2'])).toBe("warning: host doesn't support requested feature: CPUID.07H:EBX.avx2 [bit 5]");
    expect(hostUnsupportedMessage(['tsc_deadline_timer', 'sse4_2', 'lahf_lm', 'xsaveopt', 'avx2'])).toBe(
      [
        "warning: host doesn't support requested feature: CPUID.01H:ECX.sse4.2 [bit 20]",
        "warning: host doesn't support requested feature: CPUID.01H:ECX.tsc-deadline [bit 24]",
        "warning: host doesn't support requested feature: CPUID.07H:EBX.avx2 [bit 5]",
        "warning: host doesn't support requested feature: CPUID.80000001H:ECX.lahf-lm [bit 0]",
        "warning: host doesn't support requested feature: CPUID.0DH:EAX.xsaveopt [bit 0]",
      ].join('\n'),
    );
    expect(() => hostUnsupportedMessage(['nopl'])).toThrow(CpuModelError);
  });

  it('drops the missing features with warnings, or fails with enforce', () => {
    const r = resolveCpuModelDetailed('IvyBridge', SANDY_HOST, { accel: 'kvm' });
    expect(r.missing).toEqual(['f16c', 'rdrand', 'fsgsbase', 'smep', 'erms']);
    expect(r.effective.flags).not.toContain('rdrand');
    expect(r.requested.flags).toContain('rdrand');
    expect(r.warnings[0]).toBe("warning: host doesn't support requested feature: CPUID.01H:ECX.f16c [bit 29]");
    const e = error(() => resolveCpuModelDetailed('IvyBridge,enforce', SANDY_HOST, { accel: 'kvm' }));
    expect(e.message).toBe("Host doesn't support requested features");
    const tcg = resolveCpuModelDetailed('Broadwell', SANDY_HOST);
    expect(tcg.missing).toEqual(expect.arrayContaining(['vme', 'pcid', 'tsc_deadline_timer', 'hle', 'rtm']));
    expect(tcg.warnings).toContain("warning: TCG doesn't support requested feature: CPUID.01H:EDX.vme [bit 1]");
    expect(resolveCpuModelDetailed('qemu64', SANDY_HOST).missing).toEqual([]);
  });
});

describe('migration between a mixed group of hosts', () => {
  const group = [
    { name: 'sandy-1', cpu: SANDY_HOST },
    { name: 'ivy-1', cpu: IVY_HOST },
    { name: 'haswell-1', cpu: HASWELL_HOST },
  ];

  it('tells which hosts can run a model', () => {
    expect(migrateCheck('IvyBridge', group)).toEqual([
      { host: 'sandy-1', ok: false, missing: ['f16c', 'rdrand', 'fsgsbase', 'smep', 'erms'] },
      { host: 'ivy-1', ok: true, missing: [] },
      { host: 'haswell-1', ok: true, missing: [] },
    ]);
    expect(migrateCheck('SandyBridge', group).every((r) => r.ok)).toBe(true);
    expect(migrateCheck('qemu64', group).every((r) => r.ok)).toBe(true);
    expect(migrateCheck('Haswell', group).map((r) => r.ok)).toEqual([false, false, true]);
    expect(migrateCheck('Haswell', [])).toEqual([]);
  });

  it('finds the newest model every host supports: IvyBridge + SandyBridge share SandyBridge', () => {
    expect(bestCommonModel([group[0], group[1]])).toBe('SandyBridge');
    expect(bestCommonModel(group)).toBe('SandyBridge');
    expect(bestCommonModel([group[1], group[2]])).toBe('IvyBridge');
    expect(bestCommonModel([{ name: 'bdw', cpu: INTEL_HOST }, group[2]])).toBe('Haswell');
    expect(bestCommonModel([{ name: 'epyc', cpu: EPYC_HOST }])).toBe('EPYC-IBPB');
  });

  it('refuses to mix vendors', () => {
    const e = error(() => bestCommonModel([group[0], { name: 'epyc', cpu: EPYC_HOST }]));
    expect(e.message).toBe('hosts mix CPU vendors (GenuineIntel, AuthenticAMD)');
    expect(e.hint).toMatch(/group hosts by vendor/);
  });

  it('gives guests of the common model the same flags everywhere', () => {
    const name = bestCommonModel([group[0], group[1]]) as string;
    const flags = group.slice(0, 2).map((h) => guestFlags(resolveCpuModel(name, h.cpu, { accel: 'kvm' })).join(' '));
    expect(flags[0]).toBe(flags[1]);
    expect(findCpuModel(name)?.modelId).toBe('Intel Xeon E312xx (Sandy Bridge)');
  });
});
