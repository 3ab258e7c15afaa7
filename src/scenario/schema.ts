import type { Field, Fields } from '../util/params.js';
import { SCENARIO } from './fields.js';

const UNIT_PATTERN: Record<string, string> = {
  duration: '^\\s*[0-9]*\\.?[0-9]+(e[+-]?[0-9]+)?\\s*(ns|us|µs|ms|s|min|h)\\s*$',
  frequency: '^\\s*[0-9]*\\.?[0-9]+\\s*(Hz|kHz|MHz|GHz)\\s*$',
  rate: '^\\s*[0-9]*\\.?[0-9]+\\s*[kKmM]?\\s*(/\\s*(s|ms|us|min)|Hz)?\\s*$',
  size: '^\\s*[0-9]*\\.?[0-9]+\\s*(B|K|KB|KiB|M|MB|MiB|G|GB|GiB|T|TiB)?\\s*$',
  cycles: '^\\s*[0-9]*\\.?[0-9]+\\s*[kKM]?\\s*$',
};

function fieldSchema(f: Field): Record<string, unknown> {
  const d = (f as { default?: unknown }).default;
  const base: Record<string, unknown> = { description: f.help };
  switch (f.type) {
    case 'duration':
      return { ...base, anyOf: [{ type: 'string', pattern: UNIT_PATTERN[f.type] }, { type: 'number', minimum: 0 }, ...(f.auto ? [{ const: 'auto' }] : [])] };
    case 'frequency':
    case 'rate':
    case 'size':
    case 'cycles':
      return { ...base, anyOf: [{ type: 'string', pattern: UNIT_PATTERN[f.type] }, { type: 'number', minimum: 0 }] };
    case 'int':
      return { ...base, type: 'integer', ...(f.min !== undefined && { minimum: f.min }), ...(f.max !== undefined && { maximum: f.max }), ...(d !== undefined && { default: d }) };
    case 'number':
      return { ...base, type: 'number', ...(f.min !== undefined && { minimum: f.min }), ...(f.max !== undefined && { maximum: f.max }), ...(d !== undefined && { default: d }) };
    case 'bool':
      return { ...base, type: 'boolean', ...(d !== undefined && { default: d }) };
    case 'string':
      return { ...base, type: 'string', ...(f.pattern && { pattern: f.pattern.source }), ...(d !== undefined && { default: d }) };
    case 'enum':
      return { ...base, enum: [...f.values], ...(d !== undefined && { default: d }) };
    case 'cpulist':
      return { ...base, anyOf: [{ type: 'string', pattern: '^\\s*\\d+(\\s*-\\s*\\d+)?(\\s*,\\s*\\d+(\\s*-\\s*\\d+)?)*\\s*$' }, { type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'integer', minimum: 0 } }] };
    case 'smp':
      return { ...base, anyOf: [{ type: 'string' }, { type: 'integer', minimum: 1 }] };
    case 'any':
      return base;
    case 'object':
      return objectSchema(f.fields, f.help, f.required);
    case 'list':
      return { ...base, type: 'array', items: fieldSchema(f.of), ...(f.min && { minItems: f.min }) };
    case 'variant':
      return {
        ...base,
        type: 'object',
        required: [],
        oneOf: Object.entries(f.variants).map(([k, fields]) => {
          const o = objectSchema(fields, `${f.tag}: ${k}`);
          (o.properties as Record<string, unknown>)[f.tag] = { const: k };
          (o as { required: string[] }).required = [f.tag];
          return o;
        }),
      };
  }
}

function objectSchema(fields: Fields, help: string, required: readonly string[] = []): Record<string, unknown> {
  return {
    description: help,
    type: 'object',
    additionalProperties: false,
    ...(required.length && { required: [...required] }),
    properties: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, fieldSchema(f)])),
  };
}

/** JSON Schema (draft 2020-12) of scenario files, generated from the field declarations. */
export function scenarioSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'simvm scenario',
    ...objectSchema(SCENARIO, 'A simvm scenario: a host, its guests and what to report.', ['host', 'guests']),
  };
}
