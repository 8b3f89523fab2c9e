import { Handle, NodeProps, Position } from '@xyflow/react';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import PublicIcon from '@material-ui/icons/Public';
import SettingsEthernetIcon from '@material-ui/icons/SettingsEthernet';
import DnsIcon from '@material-ui/icons/Dns';
import { externalKindText, externalText, type CellsNode } from '../lib/graph';
import { MARK_WORDS, markColour, stateColour, stateWord } from './status';

const useStyles = makeStyles(theme => ({
  cell: {
    width: '100%',
    height: '100%',
    borderRadius: 12,
    border: `2px solid`,
    background: theme.palette.type === 'dark' ? 'rgba(255,255,255,0.04)' : 'rgba(0,0,0,0.03)',
    color: theme.palette.text.primary,
    padding: theme.spacing(1, 1.5),
    boxSizing: 'border-box',
  },
  header: { display: 'flex', alignItems: 'center', gap: 8, fontWeight: 600 },
  state: { fontSize: 12, fontWeight: 500, padding: '1px 8px', borderRadius: 10, color: '#fff' },
  sub: { fontSize: 11, color: theme.palette.text.secondary },
  component: {
    width: '100%',
    height: '100%',
    borderRadius: 8,
    border: `2px solid ${theme.palette.divider}`,
    background: theme.palette.background.paper,
    color: theme.palette.text.primary,
    padding: theme.spacing(0.75, 1),
    boxSizing: 'border-box',
    fontSize: 13,
  },
  badges: { display: 'flex', gap: 4, marginTop: 6, flexWrap: 'wrap' },
  badge: { fontSize: 10, padding: '0 5px', borderRadius: 4, border: '1px solid', lineHeight: '16px' },
  gateway: {
    width: '100%',
    height: '100%',
    borderRadius: 28,
    border: `2px dashed ${theme.palette.text.secondary}`,
    background: theme.palette.background.paper,
    color: theme.palette.text.primary,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    fontWeight: 600,
  },
  mark: { fontSize: 10, fontWeight: 600 },
  // Outside the cluster: a dashed outline and an icon with a word, so a host or a network reads as such without colour.
  external: {
    width: '100%',
    height: '100%',
    border: `2px dashed ${theme.palette.text.secondary}`,
    background: theme.palette.background.paper,
    color: theme.palette.text.primary,
    padding: theme.spacing(0.5, 1),
    boxSizing: 'border-box',
    display: 'flex',
    alignItems: 'center',
    gap: 8,
    fontSize: 13,
  },
  host: { borderRadius: 32 },
  network: { borderRadius: 0, clipPath: 'polygon(10px 0, calc(100% - 10px) 0, 100% 50%, calc(100% - 10px) 100%, 10px 100%, 0 50%)', paddingLeft: 16 },
  externalName: { fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
}));

function MarkNote({ mark }: { mark?: keyof typeof MARK_WORDS }) {
  const classes = useStyles();
  const theme = useTheme();
  if (!mark) return null;
  return (
    <div className={classes.mark} style={{ color: markColour(theme, mark) }}>
      {MARK_WORDS[mark]}
    </div>
  );
}

export function CellNode({ data, selected }: NodeProps<CellsNode>) {
  const classes = useStyles();
  const theme = useTheme();
  if (data.kind !== 'cell') return null;
  const colour = stateColour(theme, data.cell.state);
  const outline = markColour(theme, data.mark) ?? colour;
  return (
    <div
      className={classes.cell}
      style={{ borderColor: outline, boxShadow: selected || data.focused ? `0 0 0 3px ${outline}66` : undefined }}
      data-testid={`cell-${data.cell.entityRef}`}
    >
      <Handle type="target" position={Position.Left} />
      <div className={classes.header}>
        <span>{data.cell.title}</span>
        <span className={classes.state} style={{ background: colour }} aria-label={`state: ${stateWord(data.cell.state)}`}>
          {stateWord(data.cell.state)}
        </span>
      </div>
      <div className={classes.sub}>
        {data.cell.namespace} · {data.componentCount} components{data.collapsed ? ' (collapsed)' : ''}
      </div>
      <MarkNote mark={data.mark} />
      {data.wouldBreak !== undefined && (
        <div className={classes.mark} style={{ color: data.wouldBreak ? theme.palette.error.main : undefined }} data-testid="would-break">
          {data.wouldBreak ? `⚠ ${data.wouldBreak} observed call${data.wouldBreak === 1 ? '' : 's'} would break` : '✓ nothing observed would break'}
        </div>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

function Badge({ label, on }: { label: string; on: boolean }) {
  const classes = useStyles();
  const theme = useTheme();
  const colour = on ? stateColour(theme, 'in-sync') : theme.palette.error.main;
  return (
    <span className={classes.badge} style={{ borderColor: colour, color: colour }} aria-label={`${label} ${on ? 'protected' : 'not protected'}`}>
      {label} {on ? '✓' : '✗'}
    </span>
  );
}

export function ComponentNode({ data, selected }: NodeProps<CellsNode>) {
  const classes = useStyles();
  const theme = useTheme();
  if (data.kind !== 'component') return null;
  const c = data.component;
  const colour = markColour(theme, data.mark);
  return (
    <div
      className={classes.component}
      style={{
        borderColor: colour ?? (selected ? theme.palette.primary.main : undefined),
        boxShadow: selected || data.focused ? `0 0 0 3px ${colour ?? theme.palette.primary.main}66` : undefined,
      }}
    >
      <Handle type="target" position={Position.Left} />
      <div style={{ fontWeight: 600 }}>{c.title ?? c.name}</div>
      <div className={classes.badges}>
        <Badge label="L3/L4" on={c.protection.l3l4} />
        <Badge label="mTLS" on={c.protection.mtls} />
        <Badge label="L7" on={c.protection.l7} />
      </div>
      <MarkNote mark={data.mark} />
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export function GatewayNode({ data }: NodeProps<CellsNode>) {
  const classes = useStyles();
  const theme = useTheme();
  const colour = markColour(theme, data.mark);
  return (
    <div className={classes.gateway} style={colour ? { borderColor: colour } : undefined}>
      External gateway
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

/** A host (rounded, globe) or a network (hexagonal, cable) outside the cluster, or a platform service (rounded, dns). */
export function ExternalNode({ data, selected }: NodeProps<CellsNode>) {
  const classes = useStyles();
  const theme = useTheme();
  if (data.kind !== 'external') return null;
  const { external } = data;
  const colour = markColour(theme, data.mark) ?? (selected ? theme.palette.primary.main : undefined);
  const isHost = external.kind === 'host';
  const isPlatform = external.kind === 'platform';
  let Icon = isHost ? PublicIcon : SettingsEthernetIcon;
  if (isPlatform) Icon = DnsIcon;
  return (
    <div
      className={`${classes.external} ${isHost || isPlatform ? classes.host : classes.network}`}
      style={{ borderColor: colour, boxShadow: selected || data.focused ? `0 0 0 3px ${colour ?? theme.palette.primary.main}66` : undefined }}
      data-testid={`external-${external.id}`}
    >
      <Handle type="target" position={Position.Left} />
      {/* A scraper's edges leave it towards the components it scrapes. */}
      {isPlatform && <Handle type="source" position={Position.Right} />}
      <Icon fontSize="small" aria-hidden />
      <div style={{ minWidth: 0 }}>
        <div className={classes.sub}>{externalKindText(external).toLowerCase()}</div>
        <div className={classes.externalName} title={externalText(external)}>
          {external.target}
        </div>
        {external.except?.length ? <div className={classes.sub}>except {external.except.join(', ')}</div> : null}
        <MarkNote mark={data.mark} />
      </div>
    </div>
  );
}

/** Defined once, outside any component, as xyflow asks. */
export const nodeTypes = { cell: CellNode, component: ComponentNode, gateway: GatewayNode, external: ExternalNode };
