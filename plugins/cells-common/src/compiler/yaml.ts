import { dump, DumpOptions } from 'js-yaml';
import { KubeObject } from './context';

/**
 * Multi-document YAML, byte-stable for the same objects and byte-identical to
 * js-yaml's dumper with the options below (the golden files were written by
 * it). Compiled objects are plain data (mappings, sequences, strings, integers,
 * booleans), so this emitter writes block style itself, several times faster
 * than js-yaml at GitOps-folder sizes (bench/README.md). How a string scalar is
 * written is js-yaml's decision, asked once per distinct string (see
 * `scalar`); anything else (floats, dates, multi-line text) goes to js-yaml
 * whole, so the output never depends on which path wrote it.
 */
const OPTIONS: DumpOptions = { lineWidth: -1, noRefs: true, quotingType: '"' };

/** Thrown when a value is not plain data this emitter writes; the document goes to js-yaml. */
const UNSUPPORTED = new Error('not plain data');
const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

export function toYaml(objects: KubeObject[]): string {
  let out = '';
  for (let i = 0; i < objects.length; i++) {
    if (i > 0) out += '---\n';
    out += documentYaml(objects[i]);
  }
  return out;
}

/** One document, with the same bytes as `dump(value, OPTIONS)`. */
export function documentYaml(value: unknown): string {
  try {
    if (isMapping(value)) return nonEmpty(value) ? mapping(value, 0) : '{}\n';
    if (Array.isArray(value)) return value.length > 0 ? sequence(value, 0) : '[]\n';
  } catch (e) {
    if (e !== UNSUPPORTED) throw e;
  }
  return dump(value, OPTIONS);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function nonEmpty(value: Record<string, unknown>): boolean {
  for (const key in value) if (hasOwn(value, key) && value[key] !== undefined) return true;
  return false;
}

const PADS: string[] = [''];
function pad(n: number): string {
  while (PADS.length <= n) PADS.push(' '.repeat(PADS.length));
  return PADS[n];
}

/** A mapping whose first key the caller has already indented; later keys at `indent`. */
function mapping(value: Record<string, unknown>, indent: number): string {
  let out = '';
  let first = true;
  // for-in visits own keys in Object.keys order (js-yaml's) without building the array.
  for (const key in value) {
    if (!hasOwn(value, key)) continue;
    const v = value[key];
    // js-yaml skips keys whose value is undefined.
    if (v === undefined) continue;
    if (key.length > 1024) throw UNSUPPORTED; // js-yaml writes long keys as explicit `? ` keys
    out += `${first ? '' : pad(indent)}${scalar(key)}:${nested(v, indent, true)}`;
    first = false;
  }
  return out;
}

/** A sequence whose first dash the caller has already indented; later dashes at `indent`. */
function sequence(value: unknown[], indent: number): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    // js-yaml writes holes and undefined items as null; rare enough to leave to it.
    if (v === undefined || !(i in value)) throw UNSUPPORTED;
    out += `${i === 0 ? '' : pad(indent)}-${nested(v, indent, false)}`;
  }
  return out;
}

/** What follows `key:` or `-`: a scalar or empty collection on the same line, else a block. */
function nested(v: unknown, indent: number, inMapping: boolean): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []\n';
    // In a mapping, js-yaml indents a sequence by two under its key; in a sequence, inline after the dash.
    return inMapping ? `\n${pad(indent + 2)}${sequence(v, indent + 2)}` : ` ${sequence(v, indent + 2)}`;
  }
  if (isMapping(v)) {
    if (!nonEmpty(v)) return ' {}\n';
    return inMapping ? `\n${pad(indent + 2)}${mapping(v, indent + 2)}` : ` ${mapping(v, indent + 2)}`;
  }
  return ` ${leaf(v)}\n`;
}

function leaf(v: unknown): string {
  if (typeof v === 'string') return scalar(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  // Integers print the same everywhere; floats have js-yaml's own formatting.
  if (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
  throw UNSUPPORTED;
}

/**
 * Letters, digits and `._/*-:`, starting with a letter or `/` and not ending in
 * `:`, are plain for js-yaml unless they spell a YAML 1.1 boolean or null,
 * which it quotes for older readers (yaml.test.ts checks this against js-yaml).
 */
const PLAIN = /^[A-Za-z/][A-Za-z0-9._/*:-]*$/;
const QUOTED_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const styles = new Map<string, string>();

/**
 * A string as js-yaml writes it on one line. Printable single-line strings are
 * written the same in any position (no block styles with lineWidth -1), so
 * js-yaml's answer is asked once per distinct string and remembered.
 */
function scalar(s: string): string {
  if (PLAIN.test(s) && s.charCodeAt(s.length - 1) !== 58 /* : */ && (s.length > 5 || !QUOTED_WORDS.has(s.toLowerCase()))) return s;
  let text = styles.get(s);
  if (text === undefined) {
    if (!PRINTABLE_ASCII.test(s)) throw UNSUPPORTED;
    text = dump(s, OPTIONS).slice(0, -1);
    if (text.includes('\n')) throw UNSUPPORTED;
    if (styles.size > 100_000) styles.clear();
    styles.set(s, text);
  }
  return text;
}
