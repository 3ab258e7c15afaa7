/**
 * One declaration per parameter: its type, unit, default and help. The
 * scenario validator, the JSON Schema and the docs are all generated from
 * these, so a parameter is described in exactly one place.
 */
export type Field =
  | { type: 'duration'; default?: number; min?: number; max?: number; help: string; /** The word `auto` is a value too (the run decides). */ auto?: true }
  | { type: 'frequency'; default?: number; min?: number; max?: number; help: string }
  | { type: 'rate'; default?: number; min?: number; max?: number; help: string }
  | { type: 'size'; default?: number; min?: number; max?: number; help: string }
  | { type: 'cycles'; default?: number; min?: number; max?: number; help: string }
  | { type: 'int'; default?: number; min?: number; max?: number; help: string }
  | { type: 'number'; default?: number; min?: number; max?: number; help: string }
  | { type: 'bool'; default?: boolean; help: string }
  | { type: 'string'; default?: string; help: string; pattern?: RegExp; patternHelp?: string }
  | { type: 'enum'; values: readonly string[]; default?: string; help: string }
  | { type: 'cpulist'; default?: number[]; help: string }
  | { type: 'smp'; help: string }
  /** Free-form YAML read by another command (e.g. a scenario's `sweep:` section, read by `simvm sweep`). */
  | { type: 'any'; help: string }
  | { type: 'object'; fields: Record<string, Field>; help: string; required?: readonly string[] }
  | { type: 'list'; of: Field; help: string; min?: number }
  | { type: 'variant'; tag: string; variants: Record<string, Record<string, Field>>; default?: string; help: string };

export type Fields = Record<string, Field>;

// The helpers keep each field's literal type (its `type`, whether it has a
// default, an enum's words), so `FieldValue` can derive the validated value's
// type from the table itself.
export const dur = <D extends number | undefined = undefined>(help: string, def?: D, min = 0, max?: number) => ({ type: 'duration' as const, help, default: def as D, min, max });
export const int = <D extends number | undefined = undefined>(help: string, def?: D, min?: number, max?: number) => ({ type: 'int' as const, help, default: def as D, min, max });
export const num = <D extends number | undefined = undefined>(help: string, def?: D, min?: number, max?: number) => ({ type: 'number' as const, help, default: def as D, min, max });
export const bool = <D extends boolean | undefined = undefined>(help: string, def?: D) => ({ type: 'bool' as const, help, default: def as D });
export const oneOf = <const V extends string, D extends V | undefined = undefined>(values: readonly V[], help: string, def?: D) => ({ type: 'enum' as const, values, help, default: def as D });

/** Whether a validated field always has a value: it has a default, or it is a mapping (filled from its fields' defaults). */
type Present<F> = F extends { type: 'object' } ? true : F extends { default: infer D } ? ([D] extends [undefined] ? false : true) : false;

/** The validated value of every field of a mapping: fields with a default are always there, the others may be missing. */
export type FieldsValue<X> = { -readonly [K in keyof X as Present<X[K]> extends true ? K : never]: FieldValue<X[K]> } & {
  -readonly [K in keyof X as Present<X[K]> extends true ? never : K]?: FieldValue<X[K]>;
};

/** The validated value of a field, in base units (ns, Hz, bytes, cycles, per second). */
export type FieldValue<F> = F extends { type: 'duration' | 'frequency' | 'rate' | 'size' | 'cycles' | 'int' | 'number' }
  ? number
  : F extends { type: 'bool' }
    ? boolean
    : F extends { type: 'string' }
      ? string
      : F extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : F extends { type: 'cpulist' }
          ? number[]
          : F extends { type: 'smp' }
            ? string | number
            : F extends { type: 'object'; fields: infer X }
              ? FieldsValue<X>
              : F extends { type: 'list'; of: infer O }
                ? FieldValue<O>[]
                : F extends { type: 'variant'; tag: infer T extends string }
                  ? { [k in T]: string } & Record<string, unknown>
                  : unknown;
