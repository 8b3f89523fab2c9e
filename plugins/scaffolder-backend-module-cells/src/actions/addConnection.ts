import fs from 'node:fs/promises';
import path from 'node:path';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ConnectionSpec, connectionSpec } from '@cellplane/cells-common';
import { Document, YAMLMap, YAMLSeq, isMap, isSeq, parseAllDocuments, stringify } from 'yaml';
import { changeProblems, previewChange } from '../change';
import { CellsActionDeps, exists, failOn, loadCatalog, settingsOf, workspaceFile, lookUpRef } from '../context';
import { editableSourceFile, readLocalPublish } from '../localCatalog';

function findEntity(catalog: Entity[], input: string, field: string): Entity {
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

type Connection = ConnectionSpec;

/** One flow map the way the file writes its others: `{ to: x, methods: [GET] }`, padded or not. */
function flowMap(value: Connection, padMap: boolean, padSeq: boolean): string {
  const scalar = (v: string) => stringify(v).trimEnd();
  const seq = (items: string[]) => (padSeq ? `[ ${items.map(scalar).join(', ')} ]` : `[${items.map(scalar).join(', ')}]`);
  const body = Object.entries(value)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? seq(v) : scalar(v)}`)
    .join(', ');
  return padMap ? `{ ${body} }` : `{${body}}`;
}

/**
 * Appends an item to a block sequence by splicing text after its last item:
 * the rest of the file, comments and layout included, stays byte for byte.
 */
function appendItem(source: string, seq: YAMLSeq, connection: Connection): string {
  const last = seq.items[seq.items.length - 1] as YAMLMap;
  const [start, valueEnd] = last.range!;
  const lineStart = source.lastIndexOf('\n', start) + 1;
  const dash = source.lastIndexOf('-', start);
  const indent = source.slice(lineStart, dash);
  const lineEnd = source.indexOf('\n', valueEnd);
  const at = lineEnd === -1 ? source.length : lineEnd;
  let item: string;
  if (isMap(last) && last.flow) {
    const sample = source.slice(start, valueEnd);
    item = flowMap(connection, sample.startsWith('{ '), /\[ /.test(sample));
  } else {
    // A block map: as the yaml library writes it, indented under the dash.
    const lines = stringify(connection).trimEnd().split('\n');
    item = lines.map((l, i) => (i === 0 ? l : `${indent}  ${l}`)).join('\n');
  }
  return `${source.slice(0, at)}\n${indent}- ${item}${source.slice(at)}`;
}

/** No block list to append to: the Document API sets the field, and only that document is written anew. */
function rewriteDocument(source: string, docs: Document.Parsed[], doc: Document.Parsed, connection: Connection): string {
  doc.setIn(['spec', 'connections'], doc.createNode([connection]));
  // Each document owns the text up to its end; the last one also owns the file's tail.
  return docs
    .map((d, i) => {
      if (d === doc) return d.toString();
      const from = i === 0 ? 0 : docs[i - 1].range[2];
      return source.slice(from, i === docs.length - 1 ? source.length : d.range[2]);
    })
    .join('');
}

/** `cellplane:connection:add`: one more connection on an existing component, in its own file, comments kept. */
export function addConnectionAction(deps: CellsActionDeps) {
  return createTemplateAction({
    id: 'cellplane:connection:add',
    description:
      "Adds a connection to an existing component's entity file in the workspace (comments and formatting kept), checked against the catalog: the target endpoint must exist and its visibility must admit the caller.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Let houston/capcom read the trajectory from orion/guidance-nav... if its visibility allows it',
        example: [
          'steps:',
          '  - id: connection',
          '    action: cellplane:connection:add',
          '    input:',
          '      from: component:default/capcom',
          '      to: component:default/comms-system',
          '      endpoint: http',
          '      methods: [GET]',
          '      paths: [/status]',
          '      filePath: houston.yaml',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        from: z => z.string().describe('The calling component (entity ref)'),
        to: z => z.string().describe('The component called (entity ref)'),
        endpoint: z => z.string().optional().describe('Endpoint of the target; may be left out when it has one'),
        methods: z => z.array(z.string()).optional().describe('HTTP methods (HTTP/GRPC endpoints only)'),
        paths: z => z.array(z.string()).optional().describe('Path patterns, e.g. /status or /items/*'),
        filePath: z =>
          z
            .string()
            .optional()
            .describe(
              "The caller's entity file in the workspace; default catalog-info.yaml. When absent and local publishing is on, it is copied from the caller's local file.",
            ),
      },
      output: {
        entityRef: z => z.string(),
        filePath: z => z.string(),
        preview: z => z.string().describe('Markdown: the access diff of the change'),
        accessDiff: z => z.any(),
        manifests: z => z.string(),
      },
    },
    async handler(ctx) {
      const settings = settingsOf(deps.config);
      const catalog = await loadCatalog(deps);
      const caller = findEntity(catalog, ctx.input.from, 'from');
      const target = findEntity(catalog, ctx.input.to, 'to');
      const filePath = ctx.input.filePath || 'catalog-info.yaml';
      const file = workspaceFile(ctx.workspacePath, filePath, 'filePath');
      if (!(await exists(file))) {
        // Local portal: start from the file the catalog read the caller from (inside the editable folders only).
        const source = editableSourceFile(caller, readLocalPublish(deps.config));
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.copyFile(source, file);
        ctx.logger.info(`Copied ${path.basename(source)} into the workspace as ${filePath}`);
      }
      const docs = parseAllDocuments(await fs.readFile(file, 'utf8')) as Document.Parsed[];
      const doc = docs.find(d => d instanceof Document && sameRef(caller, d)) as Document.Parsed | undefined;
      if (!doc) {
        throw new InputError(`filePath: ${filePath} does not declare ${stringifyEntityRef(caller)}. Fix: point filePath at the caller's entity file.`);
      }
      const connection = connectionSpec(stringifyEntityRef(caller), stringifyEntityRef(target), ctx.input);
      const existing = doc.getIn(['spec', 'connections']);
      const current = isSeq(existing) ? (existing.toJSON() as Record<string, unknown>[]) : [];
      if (current.some(c => JSON.stringify(c) === JSON.stringify(connection))) {
        throw new InputError(`to: ${stringifyEntityRef(caller)} already declares this connection. Fix: nothing to add.`);
      }
      const source = await fs.readFile(file, 'utf8');
      const text =
        isSeq(existing) && existing.items.length && !existing.flow ? appendItem(source, existing, connection) : rewriteDocument(source, docs, doc, connection);
      const changed = (parseAllDocuments(text) as Document[]).find(d => sameRef(caller, d))!.toJS() as Entity;
      failOn(changeProblems(catalog, [changed], settings), `the new connection is spec.connections[${current.length}]`);
      await fs.writeFile(file, text);
      const preview = previewChange(catalog, [changed], settings);
      ctx.logger.info(`Connection ${stringifyEntityRef(caller)} -> ${stringifyEntityRef(target)} added to ${filePath}`);
      ctx.output('entityRef', stringifyEntityRef(caller));
      ctx.output('filePath', filePath);
      ctx.output('preview', preview.markdown);
      ctx.output('accessDiff', preview.accessDiff);
      ctx.output('manifests', preview.manifests);
    },
  });
}
