/**
 * What a QEMU release changes in a CPU model's identity (the catalogue in
 * catalogue.ts holds the chapter's values).
 *
 *   qemu64  family/model/stepping 6/6/3 up to QEMU 6.0; 15/107/1 from 6.1
 *           (target/i386/cpu.c builtin_x86_defs[] "qemu64", changed for
 *           gitlab.com/qemu-project/qemu/-/issues/191, "Windows guests
 *           refuse family 6 model 6"); hw/i386/pc.c pc_compat_6_0 sets
 *           6/6/3 back for machine types 6.0 and older.
 */
import type { CpuIdentity } from './types.js';
import { atLeast, type MajorMinor } from '../../util/version.js';

type Release = MajorMinor;

/** `spec`'s identity as machine type `release` gives it; explicit family/model/stepping props still win. */
export function identityForRelease(id: CpuIdentity, spec: string, release: Release): CpuIdentity {
  const [model, ...props] = spec.split(',');
  if (model !== 'qemu64' || !atLeast(release, 6, 1)) return id;
  const given = new Set(props.map((p) => p.split('=')[0]));
  return {
    ...id,
    ...(given.has('family') ? {} : { family: 15 }),
    ...(given.has('model') ? {} : { model: 107 }),
    ...(given.has('stepping') ? {} : { stepping: 1 }),
  };
}
