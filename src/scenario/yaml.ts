import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { suggest } from '../util/suggest.js';
import { InputError, InputErrors } from '../util/errors.js';

/**
 * Reading positional YAML input, shared by scenario and sweep files: the
 * file read, the parse with line positions, errors placed at a node, and
 * the unknown-field check. Errors of one file are collected in `errors`
 * and thrown together.
 */
export interface YamlCtx {
  file: string;
  text: string;
  lc: LineCounter;
  errors: InputError[];
}

/** Where an error points: a file, and a line and column when known. */
export interface Loc {
  file: string;
  line?: number;
  col?: number;
}

/** Read an input file; a missing file, a directory or an unreadable file is an InputError saying which. */
export function readInput(file: string, what: string, missingHint: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? `is a directory, not a ${what}` : `cannot read: ${(e as Error).message}`, file, undefined, undefined, code === 'ENOENT' ? missingHint : undefined);
  }
}

/** Parse YAML keeping positions; syntax errors are thrown at once, each at its line and column. */
export function parseYaml(text: string, file: string): { doc: Document; ctx: YamlCtx } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new InputErrors(
      doc.errors.map((e) => {
        const p = lc.linePos(e.pos[0]);
        return new InputError(`YAML syntax: ${e.message.split('\n')[0]}`, file, p.line, p.col, 'check indentation, colons and quotes around this point');
      }),
    );
  }
  return { doc, ctx: { file, text, lc, errors: [] } };
}

/** The position of `node` (plus `offset` characters) in the file. */
export function locOf(ctx: YamlCtx, node: Node | null | undefined, offset = 0): Loc {
  const off = node?.range?.[0];
  if (off === undefined) return { file: ctx.file };
  const p = ctx.lc.linePos(off + offset);
  return { file: ctx.file, line: p.line, col: p.col };
}

/** An InputError at a position. */
export const errorAt = (loc: Loc, message: string, hint?: string): InputError => new InputError(message, loc.file, loc.line, loc.col, hint);

/** An InputError at `node`. */
export function at(ctx: YamlCtx, node: Node | null | undefined, message: string, hint?: string): InputError {
  return errorAt(locOf(ctx, node), message, hint);
}

/** A mapping key as text (keys made by --set are plain strings, not Scalar nodes). */
export function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** Report a key that is not one of `known`, suggesting the nearest. */
export function unknownField(ctx: YamlCtx, keyNode: Node, key: string, known: readonly string[], where: string): void {
  const s = suggest(key, [...known]);
  ctx.errors.push(at(ctx, keyNode, `unknown field "${key}"${where ? ` in ${where}` : ''}`, s ? `did you mean "${s}"?` : `known fields: ${known.join(', ')}`));
}
