/**
 * Reading a libvirt domain XML file into elements that know where they are.
 *
 * @xmldom/xmldom parses (a maintained W3C DOM parser; with its locator on,
 * every element and attribute carries its 1-based line and column, and a
 * malformed document throws a ParseError that says where). Everything the
 * mapper reads goes through the small API below, so each message it writes
 * can name file:line:col.
 */
import { statSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Element as DomElement, Attr as DomAttr } from '@xmldom/xmldom';
import { InputError } from '../util/errors.js';

/** Largest domain file read (a real domain is a few KB; `virsh dumpxml` of a big one ~50 KB). */
export const MAX_DOMAIN_BYTES = 1024 * 1024;

/** A position in an input file, 1-based. */
export interface Pos {
  line: number;
  col: number;
}

export interface XmlAttr extends Pos {
  value: string;
}

/** One element of the parsed document: its name, attributes, child elements and text, each with a position. */
export interface XmlElement extends Pos {
  name: string;
  attrs: Map<string, XmlAttr>;
  children: XmlElement[];
  /** The text directly inside the element, trimmed. */
  text: string;
}

function convert(el: DomElement): XmlElement {
  const attrs = new Map<string, XmlAttr>();
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i) as DomAttr;
    attrs.set(a.name, { value: a.value, line: a.lineNumber ?? el.lineNumber ?? 1, col: a.columnNumber ?? el.columnNumber ?? 1 });
  }
  const children: XmlElement[] = [];
  let text = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) children.push(convert(n as DomElement));
    else if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
  }
  return { name: el.tagName, attrs, children, text: text.trim(), line: el.lineNumber ?? 1, col: el.columnNumber ?? 1 };
}

/**
 * The parser, loaded when a domain is first read (Node's module cache keeps
 * it): loading it with simvm would cost every command ~0.1 s of start-up.
 */
const requireXmldom = () => createRequire(import.meta.url)('@xmldom/xmldom') as typeof import('@xmldom/xmldom');

/** Parse XML text; a malformed document is an InputError at the parser's position. */
export function parseXml(text: string, file: string): XmlElement {
  const { DOMParser, ParseError } = requireXmldom();
  const problems: { message: string; line?: number; col?: number }[] = [];
  let doc;
  try {
    doc = new DOMParser({
      // Warnings (e.g. a missing xml declaration) are not problems; errors are, though xmldom would carry on.
      onError: (level, message, context) => {
        if (level === 'warning') return;
        const loc = (context as { locator?: { lineNumber?: number; columnNumber?: number } } | undefined)?.locator;
        problems.push({ message, line: loc?.lineNumber, col: loc?.columnNumber });
      },
    }).parseFromString(text, 'text/xml');
  } catch (e) {
    if (e instanceof ParseError) {
      const loc = e.locator as { lineNumber?: number; columnNumber?: number } | undefined;
      throw new InputError(`XML: ${e.message.split('\n')[0]}`, file, Math.max(1, loc?.lineNumber ?? 1), Math.max(1, loc?.columnNumber ?? 1), 'the file is not well-formed XML: check the tags around this point (virsh dumpxml writes a valid domain)');
    }
    throw e;
  }
  if (problems.length) {
    const p = problems[0];
    throw new InputError(`XML: ${p.message.split('\n')[0]}`, file, Math.max(1, p.line ?? 1), Math.max(1, p.col ?? 1), 'the file is not well-formed XML: check the tags around this point (virsh dumpxml writes a valid domain)');
  }
  return convert(doc.documentElement as DomElement);
}

/** Read a domain file, bounded in size. */
export function readDomainFile(path: string, shownAs = path): XmlElement {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError('is a directory, not a libvirt domain file', shownAs, undefined, undefined, 'give the XML that `virsh dumpxml DOMAIN` prints');
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, shownAs, undefined, undefined, code === 'ENOENT' ? 'check the path (save one with `virsh dumpxml DOMAIN > DOMAIN.xml`)' : undefined);
  }
  if (size > MAX_DOMAIN_BYTES) throw new InputError(`the file is ${size} bytes, more than a domain can be (${MAX_DOMAIN_BYTES} bytes)`, shownAs, undefined, undefined, 'give the XML of one domain, as `virsh dumpxml DOMAIN` prints it');
  return parseXml(readFileSync(path, 'utf8'), shownAs);
}
