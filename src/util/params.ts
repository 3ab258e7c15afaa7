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

export const dur = (help: string, def?: number, min = 0, max?: number): Field => ({ type: 'duration', help, default: def, min, max });
export const int = (help: string, def?: number, min?: number, max?: number): Field => ({ type: 'int', help, default: def, min, max });
export const num = (help: string, def?: number, min?: number, max?: number): Field => ({ type: 'number', help, default: def, min, max });
export const bool = (help: string, def?: boolean): Field => ({ type: 'bool', help, default: def });
export const oneOf = (values: readonly string[], help: string, def?: string): Field => ({ type: 'enum', values, help, default: def });
