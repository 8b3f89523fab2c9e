import { useEffect, useMemo, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { toYaml } from '@cellplane/cells-common/browser';
import type { AccessChange, PreviewCell, PreviewResponse } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { messageOf, wholeFormData } from './common';
import { useAsync } from '../components/useAsync';
import { buildProposal, callerOf, PROPOSAL_KINDS, ProposalKind } from './proposal';
import { ObservedUse } from './ObservedUse';
import { breakText, mendText, ObservedBreaks } from './ObservedBreaks';

/** `ui:field: CellsAccessPreview`. */
export const ACCESS_PREVIEW = 'CellsAccessPreview';

export interface AccessPreviewUiOptions {
  /** Which template's entity to preview: `cell`, `component`, `connection`, `egress` or `remove-connection` (see proposal.ts). */
  kind?: ProposalKind;
}

/**
 * The field's value, which the review step lists before Create: the access
 * diff in words. `loading` and `refused` hold the form back (validateAccessPreview).
 */
export interface AccessPreviewValue {
  summary: string;
  added?: string[];
  removed?: string[];
  /** A removed call the flow sources saw in use (kind remove-connection): a warning, never a refusal. */
  inUse?: string;
  /** The observed calls the change would break once its cells enforce (POST /preview's `observed`), in words. */
  wouldBreak?: string[];
  /** The observed calls enforcing would have denied that the change lets through, in words. */
  noLongerBroken?: string[];
  refused?: string;
  loading?: boolean;
}

type PreviewState =
  | { state: 'incomplete'; missing: string }
  | { state: 'loading' }
  | { state: 'ready'; preview: PreviewResponse }
  | { state: 'refused'; message: string }
  | { state: 'failed'; message: string };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The access diff in one line. */
export function summarize(preview: PreviewResponse): string {
  const { added, removed } = preview.accessDiff;
  if (added.length === 0 && removed.length === 0) return `No request changes its verdict in ${preview.environment}`;
  return `${plural(added.length, 'request', 'requests')} newly allowed, ${removed.length || 'none'} no longer allowed in ${preview.environment}`;
}

function valueOf(state: PreviewState, inUse: string | undefined): AccessPreviewValue | undefined {
  switch (state.state) {
    case 'incomplete':
      return undefined;
    case 'loading':
      return { summary: 'Loading the access preview', loading: true };
    case 'refused':
      return { summary: 'The catalog would refuse this change', refused: state.message };
    case 'failed':
      // The actions still check the change when it runs; an unavailable preview does not block it.
      return { summary: `No access preview: ${state.message}` };
    default: {
      const { added, removed } = state.preview.accessDiff;
      return {
        summary: summarize(state.preview),
        ...(added.length ? { added: added.map(a => a.text) } : {}),
        ...(removed.length ? { removed: removed.map(a => a.text) } : {}),
        ...(inUse ? { inUse } : {}),
        ...(state.preview.observed?.wouldBreak.length ? { wouldBreak: state.preview.observed.wouldBreak.map(breakText) } : {}),
        ...(state.preview.observed?.noLongerBroken.length ? { noLongerBroken: state.preview.observed.noLongerBroken.map(mendText) } : {}),
      };
    }
  }
}

export function validateAccessPreview(value: AccessPreviewValue | undefined, validation: { addError(message: string): void }) {
  if (value?.loading) validation.addError('the access preview is still loading; wait for it, then go on');
  else if (value?.refused) validation.addError(value.refused);
}

function Changes(props: { title: string; label: string; changes: AccessChange[]; color: string }) {
  if (props.changes.length === 0) return null;
  return (
    <Box mb={1}>
      <Typography variant="subtitle2">
        {props.title} ({props.changes.length})
      </Typography>
      <ul aria-label={props.label} style={{ margin: 0 }}>
        {props.changes.map(change => (
          <li key={`${change.text}|${change.layer}`} style={{ color: props.color }}>
            <Typography variant="body2" component="span">
              {change.text}
            </Typography>
          </li>
        ))}
      </ul>
    </Box>
  );
}

function CellManifests({ cell }: { cell: PreviewCell }) {
  const [open, setOpen] = useState(false);
  const kinds = new Map<string, number>();
  for (const o of cell.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  const yaml = useMemo(() => (open ? toYaml(cell.objects) : ''), [open, cell.objects]);
  return (
    <Box mb={1}>
      <Typography variant="body2">
        <strong>{cell.entityRef}</strong> {cell.exists ? '' : '(new) '}in namespace {cell.namespace}: {plural(cell.objects.length, 'object', 'objects')} (
        {[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')})
        <Button size="small" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide the manifests' : 'Show the manifests'}
        </Button>
      </Typography>
      {open && (
        <pre aria-label={`manifests of ${cell.entityRef}`} style={{ maxHeight: 320, overflow: 'auto', fontSize: 12, margin: 0 }}>
          {yaml}
        </pre>
      )}
    </Box>
  );
}

/**
 * The access diff and the manifests the template's change will produce, from
 * the cells backend (POST /preview: the core's compiler and analyzer over the
 * catalog with the change), shown before Create. Put it on the last step.
 */
export function AccessPreview(props: FieldExtensionComponentProps<AccessPreviewValue, AccessPreviewUiOptions>) {
  const { formData, onChange, schema, uiSchema, rawErrors = [] } = props;
  const cellsApi = useApi(cellsApiRef);
  const catalogApi = useApi(catalogApiRef);
  const option = uiSchema['ui:options']?.kind;
  const kind: ProposalKind = option && PROPOSAL_KINDS.includes(option) ? option : 'component';
  const form = wholeFormData(props);
  // The inputs the preview depends on; the field's own value is not one of them.
  const { [props.name]: _own, ...inputs } = form;
  const inputsKey = JSON.stringify(inputs);
  const cells = useAsync(() => (kind === 'component' ? cellsApi.listCells() : Promise.resolve({ items: [] })), [cellsApi, kind]);
  const caller = callerOf(form, kind);
  const removedTarget = kind === 'remove-connection' ? (form.call as { to?: unknown } | undefined)?.to : undefined;
  const [inUse, setInUse] = useState<string | undefined>();
  const callerEntity = useAsync(async () => (caller ? catalogApi.getEntityByRef(caller) : undefined), [catalogApi, caller]);
  const proposal = useMemo(
    () => buildProposal(kind, JSON.parse(inputsKey), { cells: cells.value?.items, caller: callerEntity.value }),
    [kind, inputsKey, cells.value, callerEntity.value],
  );
  const requestKey = 'entities' in proposal ? JSON.stringify(proposal.entities) : `missing ${proposal.missing}`;
  const [state, setState] = useState<PreviewState>({ state: 'loading' });

  useEffect(() => {
    if (!('entities' in proposal)) {
      setState(cells.loading || callerEntity.loading ? { state: 'loading' } : { state: 'incomplete', missing: proposal.missing });
      return undefined;
    }
    let current = true;
    setState({ state: 'loading' });
    cellsApi.preview({ entities: proposal.entities as any }).then(
      preview => current && setState({ state: 'ready', preview }),
      error =>
        current &&
        setState(
          (error as { statusCode?: number }).statusCode === 400
            ? { state: 'refused', message: messageOf(error) }
            : { state: 'failed', message: messageOf(error) },
        ),
    );
    return () => {
      current = false;
    };
    // The entities' JSON (or what is missing) says when the request changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [requestKey, cells.loading, callerEntity.loading]);

  // The value follows the state, so the review step lists the diff and a refusal holds the form back.
  const value = valueOf(state, inUse);
  useEffect(() => {
    if (JSON.stringify(value) !== JSON.stringify(formData)) onChange(value);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(value)]);

  return (
    <ScaffolderField rawErrors={rawErrors} rawDescription={uiSchema['ui:description'] ?? schema.description}>
      <Typography variant="h6" component="h3">
        {schema.title ?? 'Access after this change'}
      </Typography>
      <div aria-label="access preview" aria-busy={state.state === 'loading'}>
        {state.state === 'loading' && <LinearProgress aria-label="loading the access preview" />}
        {state.state === 'incomplete' && (
          <Typography variant="body2" color="textSecondary">
            Give {state.missing} to see the access this change opens.
          </Typography>
        )}
        {state.state === 'refused' && <Alert severity="error">{state.message}</Alert>}
        {state.state === 'failed' && <Alert severity="warning">Could not preview the change: {state.message}</Alert>}
        {state.state === 'ready' && (
          <>
            <Typography variant="body2" gutterBottom>
              {summarize(state.preview)}.
            </Typography>
            <Changes title="Newly allowed" label="newly allowed" changes={state.preview.accessDiff.added} color="#2e7d32" />
            <Changes title="No longer allowed" label="no longer allowed" changes={state.preview.accessDiff.removed} color="#c62828" />
            {state.preview.observed && <ObservedBreaks observed={state.preview.observed} />}
            {caller && typeof removedTarget === 'string' && (
              <ObservedUse api={cellsApi} environment={state.preview.environment} from={caller} to={removedTarget} onInUse={setInUse} />
            )}
            <Typography variant="subtitle2">Manifests</Typography>
            {state.preview.cells.map(cell => (
              <CellManifests key={cell.entityRef} cell={cell} />
            ))}
          </>
        )}
      </div>
    </ScaffolderField>
  );
}
