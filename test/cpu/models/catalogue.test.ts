import { describe, it, expect } from 'vitest';
import {
  CPU_MODELS,
  DEFAULT_CPU_MODEL,
  applyTopologyCpuid,
  findCpuModel,
  guestFlags,
  renderCpuHelp,
  renderCpuModelVerbose,
  resolveCpuModel,
} from '../../../src/cpu/models/index.js';
import { featureByFlag } from '../../../src/cpu/models/features.js';
import { parseSmp } from '../../../src/topology/smp.js';
import { INTEL_HOST } from './hosts.js';

/** The chapter's `qemu-system-x86_64 -enable-kvm -cpu ?` (§4.1), up to its "......". */
const SEED_CPU_HELP = `Available CPUs:
x86 486
x86 Broadwell             Intel Core Processor (Broadwell)
x86 Broadwell-IBRS        Intel Core Processor (Broadwell, IBRS)
x86 Broadwell-noTSX       Intel Core Processor (Broadwell, no TSX)
x86 Broadwell-noTSX-IBRS  Intel Core Processor (Broadwell, no TSX, IBRS)
x86 Cascadelake-Server    Intel Xeon Processor (Cascadelake)
x86 Conroe                Intel Celeron_4x0 (Conroe/Merom Class Core 2)
x86 Dhyana                Hygon Dhyana Processor
x86 EPYC                  AMD EPYC Processor
x86 EPYC-IBPB             AMD EPYC Processor (with IBPB)
x86 Haswell               Intel Core Processor (Haswell)
x86 Haswell-IBRS          Intel Core Processor (Haswell, IBRS)
x86 Haswell-noTSX         Intel Core Processor (Haswell, no TSX)
x86 Haswell-noTSX-IBRS    Intel Core Processor (Haswell, no TSX, IBRS)
x86 Icelake-Client        Intel Core Processor (Icelake)
x86 Icelake-Server        Intel Xeon Processor (Icelake)
x86 IvyBridge             Intel Xeon E3-12xx v2 (Ivy Bridge)
x86 IvyBridge-IBRS        Intel Xeon E3-12xx v2 (Ivy Bridge, IBRS)
x86 KnightsMill           Intel Xeon Phi Processor (Knights Mill)
x86 Nehalem               Intel Core i7 9xx (Nehalem Class Core i7)
x86 Nehalem-IBRS          Intel Core i7 9xx (Nehalem Core i7, IBRS update)
x86 Opteron_G1            AMD Opteron 240 (Gen 1 Class Opteron)
x86 Opteron_G2            AMD Opteron 22xx (Gen 2 Class Opteron)
x86 Opteron_G3            AMD Opteron 23xx (Gen 3 Class Opteron)
x86 Opteron_G4            AMD Opteron 62xx class CPU
x86 Opteron_G5            AMD Opteron 63xx class CPU
x86 Penryn                Intel Core 2 Duo P9xxx (Penryn Class Core 2)
x86 SandyBridge           Intel Xeon E312xx (Sandy Bridge)
x86 SandyBridge-IBRS      Intel Xeon E312xx (Sandy Bridge, IBRS update)
x86 Skylake-Client        Intel Core Processor (Skylake)
x86 Skylake-Client-IBRS   Intel Core Processor (Skylake, IBRS)
x86 Skylake-Server        Intel Xeon Processor (Skylake)
x86 Skylake-Server-IBRS   Intel Xeon Processor (Skylake, IBRS)
x86 Westmere              Westmere E56xx/L56xx/X56xx (Nehalem-C)
x86 Westmere-IBRS         Westmere E56xx/L56xx/X56xx (IBRS update)
x86 athlon                QEMU Virtual CPU version 2.5+
x86 core2duo              Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz
x86 coreduo               Genuine Intel(R) CPU           T2600  @ 2.16GHz
x86 kvm32                 Common 32-bit KVM processor
x86 kvm64                 Common KVM processor
x86 n270                  Intel(R) Atom(TM) CPU N270   @ 1.60GHz
x86 pentium
x86 pentium2
x86 pentium3
x86 phenom                AMD Phenom(tm) 9550 Quad-Core Processor
x86 qemu32                QEMU Virtual CPU version 2.5+
x86 qemu64                QEMU Virtual CPU version 2.5+
x86 base                  base CPU model type with no features enabled
x86 host                  KVM processor with all supported host features
x86 max                   Enables all features supported by the accelerator in the current host`;

/** §2.3.2 / §4.2: qemu64 without -enable-kvm, unwrapped. */
const SEED_QEMU64_FLAGS =
  'fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 ' +
  'clflush mmx fxsr sse sse2 syscall nx lm nopl pni cx16 hypervisor ' +
  'lahf_lm svm';

/** §4.3: -cpu Broadwell -enable-kvm, unwrapped (the book splits "tsc_ deadline_timer"). */
const SEED_BROADWELL_FLAGS =
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca ' +
  'cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx rdtscp lm ' +
  'constant_tsc rep_good nopl xtopology eagerfpu pni pclmulqdq ' +
  'ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer ' +
  'aes xsave avx f16c rdrand hypervisor lahf_lm ' +
  'abm 3dnowprefetch arat fsgsbase bmi1 hle avx2 smep bmi2 erms ' +
  'invpcid rtm rdseed adx smap xsaveopt';

describe('catalogue', () => {
  const seedNames = SEED_CPU_HELP.split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[1]);

  it('has every model of the chapter -cpu ? list, and no other', () => {
    expect(seedNames).toHaveLength(50);
    for (const name of seedNames) expect(findCpuModel(name), name).toBeDefined();
    expect(CPU_MODELS.map((m) => m.name).sort()).toEqual([...seedNames].sort());
  });

  it('renders -cpu ? exactly as the chapter prints it', () => {
    expect(renderCpuHelp()).toBe(`${SEED_CPU_HELP}\n`);
  });

  it('can append the recognised flags, sorted and wrapped before column 75', () => {
    const text = renderCpuHelp({ flags: true });
    const [, flags] = text.split('\nRecognized CPUID flags:\n');
    const lines = flags.trimEnd().split('\n');
    expect(lines.every((l) => l.startsWith('  ') && l.length < 77)).toBe(true);
    const names = lines.join(' ').trim().split(/\s+/);
    expect(names).toContain('sse4.2');
    expect(names).toContain('tsc-deadline');
    expect([...names].sort()).toEqual(names);
  });

  it('gives the Pentiums and the 486 an empty model id', () => {
    for (const name of ['486', 'pentium', 'pentium2', 'pentium3']) expect(findCpuModel(name)?.modelId).toBe('');
  });

  it('derives each model flag list from its CPUID macros, once each, in CPUID order', () => {
    for (const m of CPU_MODELS) {
      expect(new Set(m.flags).size, m.name).toBe(m.flags.length);
      expect(m.flags.length, m.name).toBe(new Set(m.features).size);
      for (const f of m.flags) expect(featureByFlag(f), `${m.name}: ${f}`).toBeDefined();
    }
  });

  it('writes the -IBRS/-noTSX/-IBPB models as QEMU edits of their base', () => {
    const bw = findCpuModel('Broadwell')!;
    const noTsx = findCpuModel('Broadwell-noTSX')!;
    expect(noTsx.flags).toEqual(bw.flags.filter((f) => f !== 'hle' && f !== 'rtm'));
    expect(findCpuModel('Broadwell-IBRS')!.flags).toEqual([...bw.flags, 'spec_ctrl']);
    expect(findCpuModel('Haswell-noTSX')!.stepping).toBe(1);
    expect(findCpuModel('Haswell-IBRS')!.stepping).toBe(4);
    expect(findCpuModel('Skylake-Server-IBRS')!.flags).not.toContain('clflushopt');
    expect(findCpuModel('EPYC-IBPB')!.flags).toContain('ibpb');
    expect(findCpuModel('Dhyana')!.vendor).toBe('HygonGenuine');
  });

  it('describes one model with all its facts', () => {
    const text = renderCpuModelVerbose('Broadwell');
    expect(text).toMatch(/^Broadwell {2}Intel Core Processor \(Broadwell\)$/m);
    expect(text).toMatch(/^ {2}vendor +GenuineIntel$/m);
    expect(text).toMatch(/^ {2}model +61$/m);
    expect(text).toMatch(/^ {2}xlevel +0x80000008$/m);
    expect(text).toMatch(/^ {2}CPUID\.01H:ECX +pni pclmulqdq .*sse4\.2 /m);
    expect(text).toContain(`flags (rhel7.3 guest)`);
    expect(renderCpuModelVerbose('pentium')).toMatch(/model-id +""/);
    expect(() => renderCpuModelVerbose('Broadwel')).toThrow("unable to find CPU model 'Broadwel'");
  });
});

describe('qemu64, the default model', () => {
  it('is the default', () => {
    expect(DEFAULT_CPU_MODEL).toBe('qemu64');
  });

  it('has the chapter identity', () => {
    const q = resolveCpuModel('qemu64', INTEL_HOST);
    expect(q).toMatchObject({
      name: 'qemu64',
      vendor: 'AuthenticAMD',
      family: 6,
      model: 6,
      stepping: 3,
      level: 13,
      xlevel: 0x8000000a,
      modelId: 'QEMU Virtual CPU version 2.5+',
    });
  });

  it('prints the chapter flags line exactly', () => {
    const q = resolveCpuModel('qemu64', INTEL_HOST);
    expect(guestFlags(q).join(' ')).toBe(SEED_QEMU64_FLAGS);
    // nopl is the kernel's own; everything else is CPUID.
    expect(q.flags.join(' ')).toBe(SEED_QEMU64_FLAGS.replace(' nopl', ''));
  });
});

describe('Broadwell', () => {
  const bw = resolveCpuModel('Broadwell', INTEL_HOST, { accel: 'kvm' });

  it('has the chapter identity', () => {
    expect(bw).toMatchObject({
      vendor: 'GenuineIntel',
      family: 6,
      model: 61,
      stepping: 2,
      level: 13,
      xlevel: 0x80000008,
      modelId: 'Intel Core Processor (Broadwell)',
    });
  });

  it('prints the chapter flags line exactly, synthetic flags in their word-3 and word-7 places', () => {
    expect(guestFlags(bw).join(' ')).toBe(SEED_BROADWELL_FLAGS);
    for (const synthetic of ['constant_tsc', 'rep_good', 'nopl', 'xtopology', 'eagerfpu']) {
      expect(bw.flags).not.toContain(synthetic);
    }
  });

  it('prints a v5.10 kernel line: arat in word 14, no eagerfpu, KVM guest flags', () => {
    const flags = guestFlags(bw, { kernel: 'linux-5.10' });
    expect(flags).not.toContain('eagerfpu');
    expect(flags.slice(-2)).toEqual(['xsaveopt', 'arat']);
    expect(flags).toEqual(expect.arrayContaining(['cpuid', 'tsc_known_freq', 'cpuid_fault', 'invpcid_single', 'pti']));
    expect(guestFlags(bw, { kernel: 'linux-5.10', accel: 'tcg' })).not.toContain('tsc_known_freq');
  });

  it('prints ibrs/ibpb for spec-ctrl on v5.10 and nothing on RHEL 7.3', () => {
    const ibrs = resolveCpuModel('Broadwell-IBRS', INTEL_HOST, { accel: 'kvm' });
    expect(guestFlags(ibrs, { kernel: 'linux-5.10' })).toEqual(expect.arrayContaining(['ibrs', 'ibpb']));
    expect(guestFlags(ibrs, { kernel: 'linux-5.10' })).not.toContain('spec_ctrl');
    expect(guestFlags(ibrs).join(' ')).toBe(SEED_BROADWELL_FLAGS);
  });
});

describe('guest view details', () => {
  it('adds HTT (and CmpLegacy off Intel) when a package has several CPUs', () => {
    const t = parseSmp('8,sockets=2,cores=2,threads=2');
    const intel = applyTopologyCpuid(resolveCpuModel('Broadwell', INTEL_HOST, { accel: 'kvm' }), t);
    expect(guestFlags(intel)).toContain('ht');
    expect(intel.flags).not.toContain('cmp_legacy');
    const amd = applyTopologyCpuid(resolveCpuModel('qemu64', INTEL_HOST), t);
    expect(guestFlags(amd).join(' ')).toContain('sse sse2 ht syscall');
    expect(guestFlags(amd).join(' ')).toContain('lahf_lm cmp_legacy svm');
    expect(applyTopologyCpuid(amd, parseSmp('8'))).toEqual(amd);
  });

  it('hides leaves above the CPUID level and xsaveopt without xsave', () => {
    const q = resolveCpuModel('qemu64,-xsave,+xsaveopt', INTEL_HOST);
    expect(guestFlags(q)).not.toContain('xsaveopt');
    const low = { ...resolveCpuModel('Broadwell', INTEL_HOST, { accel: 'kvm' }), level: 5 };
    expect(guestFlags(low)).not.toContain('avx2');
    expect(guestFlags(low)).not.toContain('xtopology');
  });

  it('gives a 32-bit CPU no 64-bit-only kernel flags', () => {
    const p3 = resolveCpuModel('pentium3', INTEL_HOST);
    expect(guestFlags(p3)).not.toContain('nopl');
    expect(guestFlags(p3)).not.toContain('rep_good');
  });
});
