import fs from 'node:fs/promises';
import path from 'node:path';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { Document, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
import { CellsActionDeps, exists, lookUpRef, workspaceFile } from './context';
import { editableSourceFile, readLocalPublish } from './localCatalog';

/**
 * Editing a component in its own entity file: the edit is spliced into the
 * text where it can be, so comments and layout stay byte for byte; otherwise
 * only that entity's document is written anew.
 */

/** The component an entity-ref input names; fails naming the field when the catalog has no such component. */
export function findComponent(catalog: Entity[], input: string, field: string): Entity {
  const { ref, entity } = lookUpRef(catalog, input, field, 'component', 'a component, e.g. component:default/capcom');
  if (!entity || entity.kind.toLowerCase() !== 'component') {
    throw new InputError(`${field}: ${ref} is not a component in the catalog. Fix: pick an existing component.`);
  }
  return entity;
}

function sameRef(entity: Entity, doc: Document): boolean {
  const value = doc.toJS() as Entity | null;
  return (
    !!value &&
    typeof value.kind === 'string' &&
    value.kind.toLowerCase() === 'component' &&
    value.metadata?.name === entity.metadata.name &&
    (value.metadata?.namespace ?? 'default') === (entity.metadata.namespace ?? 'default')
  );
}

/** A component's entity file in the workspace, parsed, with the document that declares it. */
export interface ComponentFile {
  file: string;
  filePath: string;
  source: string;
  docs: Document.Parsed[];
  doc: Document.Parsed;
}

/**
 * Reads the component's file from the workspace. When the file is absent (the
 * local portal), it is first copied from the file the catalog read the
 * component from, only from the folders templates may edit.
 */
export async function readComponentFile(
  deps: CellsActionDeps,
  ctx: { workspacePath: string; logger: { info(message: string): void } },
  component: Entity,
  filePathInput: string | undefined,
): Promise<ComponentFile> {
  const filePath = filePathInput || 'catalog-info.yaml';
  const file = workspaceFile(ctx.workspacePath, filePath, 'filePath');
  if (!(await exists(file))) {
    const from = editableSourceFile(component, readLocalPublish(deps.config));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.copyFile(from, file);
    ctx.logger.info(`Copied ${path.basename(from)} into the workspace as ${filePath}`);
  }
  const source = await fs.readFile(file, 'utf8');
  const docs = parseAllDocuments(source) as Document.Parsed[];
  const doc = docs.find(d => d instanceof Document && sameRef(component, d));
  if (!doc) {
    throw new InputError(`filePath: ${filePath} does not declare ${stringifyEntityRef(component)}. Fix: point filePath at the component's entity file.`);
  }
  return { file, filePath, source, docs, doc };
}

/** The entity the edited text declares for the component. */
export function entityIn(text: string, component: Entity): Entity {
  return (parseAllDocuments(text) as Document[]).find(d => sameRef(component, d))!.toJS() as Entity;
}

type Item = Record<string, unknown>;

/** One flow map the way the file writes its others: `{ to: x, methods: [GET] }`, padded or not. */
function flowMap(value: Item, padMap: boolean, padSeq: boolean): string {
  const scalar = (v: unknown) => stringify(v).trimEnd();
  const seq = (items: unknown[]) => (padSeq ? `[ ${items.map(scalar).join(', ')} ]` : `[${items.map(scalar).join(', ')}]`);
  const body = Object.entries(value)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? seq(v) : scalar(v)}`)
    .join(', ');
  return padMap ? `{ ${body} }` : `{${body}}`;
}

/** Where an item's lines start and end in the text (the dash's line up to the end of its last line). */
function itemLines(source: string, item: YAMLMap): { lineStart: number; dash: number; lineEnd: number } {
  const [start, valueEnd] = item.range!;
  const lineStart = source.lastIndexOf('\n', start) + 1;
  const dash = source.lastIndexOf('-', start);
  const end = source.indexOf('\n', valueEnd - 1);
  return { lineStart, dash, lineEnd: end === -1 ? source.length : end };
}

/** Appends an item to a block sequence by splicing text after its last item. */
function appendItem(source: string, seq: YAMLSeq, value: Item): string {
  const last = seq.items[seq.items.length - 1] as YAMLMap;
  const { lineStart, dash, lineEnd } = itemLines(source, last);
  const indent = source.slice(lineStart, dash);
  let item: string;
  if (isMap(last) && last.flow) {
    const sample = source.slice(...(last.range!.slice(0, 2) as [number, number]));
    item = flowMap(value, sample.startsWith('{ '), /\[ /.test(sample));
  } else {
    // A block map: as the yaml library writes it, indented under the dash.
    const lines = stringify(value).trimEnd().split('\n');
    item = lines.map((l, i) => (i === 0 ? l : `${indent}  ${l}`)).join('\n');
  }
  return `${source.slice(0, lineEnd)}\n${indent}- ${item}${source.slice(lineEnd)}`;
}

/** The file with only `doc` written anew by the Document API. */
function rewriteDocument(file: ComponentFile): string {
  const { source, docs, doc } = file;
  // Each document owns the text up to its end; the last one also owns the file's tail.
  return docs
    .map((d, i) => {
      // lineWidth 0: long flow collections stay on their lines.
      if (d === doc) return d.toString({ lineWidth: 0 });
      const from = i === 0 ? 0 : docs[i - 1].range[2];
      return source.slice(from, i === docs.length - 1 ? source.length : d.range[2]);
    })
    .join('');
}

/** The items of a `spec.<field>` list as JSON (none when the field is absent). */
export function listItems(file: ComponentFile, field: string): Item[] {
  const node = file.doc.getIn(['spec', field]);
  return isSeq(node) ? (node.toJSON() as Item[]) : [];
}

/** The style of the spec's other lists of maps: flow items (`{ a: 1 }`, padded or not) or block items. */
function itemStyle(source: string, spec: YAMLMap): { flow: boolean; padMap: boolean; padSeq: boolean } {
  for (const pair of spec.items) {
    const seq = pair.value;
    const first = isSeq(seq) && !seq.flow ? seq.items.find(isMap) : undefined;
    if (first) {
      const sample = source.slice(first.range![0], first.range![1]);
      return { flow: !!first.flow, padMap: sample.startsWith('{ '), padSeq: /\[ /.test(sample) };
    }
  }
  return { flow: false, padMap: false, padSeq: false };
}

/** A new `<field>:` list of one item, spliced in after the last line of a block `spec` map. */
function addList(source: string, spec: YAMLMap, field: string, value: Item): string {
  const firstKey = spec.items[0].key as { range?: [number, number, number] };
  const keyStart = firstKey.range![0];
  const indent = ' '.repeat(keyStart - (source.lastIndexOf('\n', keyStart) + 1));
  const style = itemStyle(source, spec);
  const item = style.flow
    ? flowMap(value, style.padMap, style.padSeq)
    : stringify(value)
        .trimEnd()
        .split('\n')
        .map((l, i) => (i === 0 ? l : `${indent}    ${l}`))
        .join('\n');
  const at = spec.range![1];
  const lead = source[at - 1] === '\n' ? '' : '\n';
  return `${source.slice(0, at)}${lead}${indent}${field}:\n${indent}  - ${item}\n${source.slice(at)}`;
}

/** The file's text with `value` appended to the component's `spec.<field>` list (created when absent). */
export function appendToList(file: ComponentFile, field: string, value: Item): string {
  const node = file.doc.getIn(['spec', field]);
  if (isSeq(node) && node.items.length && !node.flow && node.items.every(isMap)) return appendItem(file.source, node, value);
  const spec = file.doc.get('spec');
  if (node === undefined && isMap(spec) && !spec.flow && spec.items.length) return addList(file.source, spec, field, value);
  const current = listItems(file, field);
  file.doc.setIn(['spec', field], file.doc.createNode([...current, value]));
  return rewriteDocument(file);
}

/** The file's text without item `index` of the component's `spec.<field>` list (the field goes with its last item). */
export function removeFromList(file: ComponentFile, field: string, index: number): string {
  const node = file.doc.getIn(['spec', field]);
  if (!isSeq(node) || index < 0 || index >= node.items.length) {
    throw new InputError(`spec.${field}[${index}] is not there. Fix: pick an item the component declares.`);
  }
  if (node.items.length > 1 && !node.flow && node.items.every(isMap)) {
    const item = node.items[index] as YAMLMap;
    const { lineStart, lineEnd } = itemLines(file.source, item);
    // The item's own lines go, the newline that ends them too; neighbours and comments stay.
    return file.source.slice(0, lineStart) + file.source.slice(Math.min(lineEnd + 1, file.source.length));
  }
  if (node.items.length > 1) node.delete(index);
  else file.doc.deleteIn(['spec', field]);
  return rewriteDocument(file);
}

/** Annotations a template writes with its change: who ran it, why, its link, and the task (docs/evidence.md). */
export const CHANGE_ANNOTATIONS = {
  by: 'cellplane.io/change-by',
  reason: 'cellplane.io/change-reason',
  link: 'cellplane.io/change-link',
  id: 'cellplane.io/change-id',
} as const;

/**
 * The change annotations of a template run: the task's user, the reason given,
 * and the link (the input's, else the task's page in the portal). None when the
 * task has no user (nothing to attribute) or is a dry run (no change is made):
 * the file is then left as it was.
 */
export function changeAnnotations(
  config: { getOptionalString(key: string): string | undefined },
  ctx: { user?: { ref?: string }; task?: { id: string }; isDryRun?: boolean },
  input: { reason?: string; changeLink?: string },
): Record<string, string> | undefined {
  const by = ctx.user?.ref;
  if (!by || ctx.isDryRun) return undefined;
  const taskId = ctx.task?.id;
  const base = (config.getOptionalString('app.baseUrl') ?? '').replace(/\/+$/, '');
  const link = input.changeLink || (taskId ? `${base}/create/tasks/${taskId}` : undefined);
  return {
    [CHANGE_ANNOTATIONS.by]: by,
    ...(input.reason ? { [CHANGE_ANNOTATIONS.reason]: input.reason } : {}),
    ...(link ? { [CHANGE_ANNOTATIONS.link]: link } : {}),
    ...(taskId ? { [CHANGE_ANNOTATIONS.id]: taskId } : {}),
  };
}

const lineStartAt = (source: string, offset: number) => source.lastIndexOf('\n', offset - 1) + 1;
const columnOf = (source: string, offset: number) => offset - lineStartAt(source, offset);
/** A scalar on one line: plain when YAML writes it so, else double-quoted (JSON is valid YAML). */
const oneLine = (value: string) => {
  const plain = stringify(value, { lineWidth: 0 }).trimEnd();
  return plain.includes('\n') ? JSON.stringify(value) : plain;
};

function componentDocument(text: string, component: Entity) {
  const docs = parseAllDocuments(text) as Document.Parsed[];
  return { docs, doc: docs.find(d => d instanceof Document && sameRef(component, d))! };
}

/**
 * The edited text with the component's change annotations replaced by these
 * (an earlier change's reason or link does not linger). The lines are spliced
 * into the block `metadata` map, so every other byte stays; a flow-style
 * metadata map has only its document written anew.
 */
export function withChangeAnnotations(text: string, component: Entity, annotations: Record<string, string> | undefined): string {
  if (!annotations) return text;
  const keys = new Set<string>(Object.values(CHANGE_ANNOTATIONS));
  let { docs, doc } = componentDocument(text, component);
  const metadata = doc.get('metadata');
  let existing = doc.getIn(['metadata', 'annotations']);
  if (!isMap(metadata) || metadata.flow || (existing !== undefined && existing !== null && (!isMap(existing) || existing.flow))) {
    if (isMap(existing)) for (const key of keys) doc.deleteIn(['metadata', 'annotations', key]);
    for (const [key, value] of Object.entries(annotations)) doc.setIn(['metadata', 'annotations', key], value);
    return rewriteDocument({ file: '', filePath: '', source: text, docs, doc });
  }
  let source = text;
  // The earlier change's lines go first, last to first so the earlier offsets hold.
  const old = isMap(existing) ? existing.items.filter(p => keys.has(String((p.key as Scalar).value))) : [];
  for (const pair of [...old].reverse()) {
    const from = lineStartAt(source, (pair.key as Scalar).range![0]);
    const end = source.indexOf('\n', (pair.value as Scalar).range![1] - 1);
    source = source.slice(0, from) + source.slice(end < 0 ? source.length : end + 1);
  }
  ({ docs, doc } = componentDocument(source, component));
  const meta = doc.get('metadata') as YAMLMap;
  existing = doc.getIn(['metadata', 'annotations']);
  const entry = meta.items.find(p => (p.key as Scalar).value === 'annotations');
  const firstKey = (meta.items[0].key as Scalar).range![0];
  const indent = ' '.repeat(columnOf(source, firstKey));
  if (entry) {
    const annotationsKey = (entry.key as Scalar).range!;
    const first = isMap(existing) && existing.items.length ? (existing.items[0].key as Scalar).range![0] : undefined;
    const inner = ' '.repeat(first !== undefined ? columnOf(source, first) : columnOf(source, annotationsKey[0]) + 2);
    const at = source.indexOf('\n', annotationsKey[1]) + 1;
    const lines = Object.entries(annotations).map(([k, v]) => `${inner}${k}: ${oneLine(v)}\n`);
    return source.slice(0, at) + lines.join('') + source.slice(at);
  }
  // After the first key's line when its value is on that line (name: x), else before it.
  const firstValue = meta.items[0].value as Scalar | null;
  const afterFirst = isScalar(firstValue) ? source.indexOf('\n', firstValue.range![1] - 1) + 1 : 0;
  const at = afterFirst > 0 ? afterFirst : lineStartAt(source, firstKey);
  const lines = [`${indent}annotations:\n`, ...Object.entries(annotations).map(([k, v]) => `${indent}  ${k}: ${oneLine(v)}\n`)];
  return source.slice(0, at) + lines.join('') + source.slice(at);
}
