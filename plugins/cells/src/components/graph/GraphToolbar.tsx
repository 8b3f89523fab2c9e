import { useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import type { TopologyResponse } from '../../api/types';
import { searchNodes } from '../../lib/graph';
import { sortNatural } from '../../lib/naturalOrder';
import { Choice, SearchableSelect } from '../SearchableSelect';
import type { GraphUrlState } from './useGraphUrlState';

const useStyles = makeStyles(theme => ({
  toolbar: { display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap', alignItems: 'center', padding: theme.spacing(1, 0) },
  field: { minWidth: 160 },
  filter: { width: 220 },
}));

export interface GraphToolbarProps {
  topology: TopologyResponse;
  url: GraphUrlState;
  /** On an entity page the cell is fixed: no owner or cell filter. */
  fixedCell?: string;
  onEnvironmentChange?(environment: string): void;
  /** Selects and zooms to a node the search found. */
  onFound(ref: string, query: string): void;
  /** Shown while an overlay is drawn. */
  onClearHighlight?(): void;
}

/** Environment, owner and cell filters, node search, collapse and expand all, and clearing a highlight. */
export function GraphToolbar({ topology, url, fixedCell, onEnvironmentChange, onFound, onClearHighlight }: GraphToolbarProps) {
  const classes = useStyles();
  const [query, setQuery] = useState(url.query);
  const matches = useMemo(() => searchNodes(topology, query), [topology, query]);
  const owners = useMemo<Choice[]>(
    () => [{ value: '', label: 'all owners' }, ...sortNatural([...new Set(topology.cells.map(c => c.owner))]).map(o => ({ value: o, label: o }))],
    [topology],
  );
  const cells = useMemo<Choice[]>(() => [{ value: '', label: 'all cells' }, ...topology.cells.map(c => ({ value: c.entityRef, label: c.title }))], [topology]);
  return (
    <div className={classes.toolbar}>
      <TextField
        select
        size="small"
        className={classes.field}
        label="Environment"
        value={topology.environment}
        onChange={e => onEnvironmentChange?.(e.target.value as string)}
        inputProps={{ 'aria-label': 'Environment' }}
      >
        {topology.environments.map(env => (
          <MenuItem key={env} value={env}>
            {env}
          </MenuItem>
        ))}
      </TextField>
      {!fixedCell && (
        <>
          <SearchableSelect
            className={classes.filter}
            label="Owner"
            choices={owners}
            value={url.owner}
            onChange={owner => url.update({ owner: owner || undefined })}
          />
          <SearchableSelect
            className={classes.filter}
            label="Cell"
            choices={cells}
            value={url.cell}
            onChange={cell => url.update({ cell: cell || undefined })}
          />
        </>
      )}
      <form
        onSubmit={e => {
          e.preventDefault();
          if (matches[0]) onFound(matches[0], query);
          else url.update({ q: query || undefined });
        }}
      >
        <TextField
          size="small"
          label="Search"
          value={query}
          onChange={e => setQuery(e.target.value)}
          inputProps={{ 'aria-label': 'Search nodes' }}
          helperText={query && matches.length === 0 ? 'no match' : undefined}
        />
      </form>
      <Button size="small" onClick={() => url.setCollapsed(new Set(topology.cells.map(c => c.entityRef)))}>
        Collapse all
      </Button>
      <Button size="small" onClick={() => url.setCollapsed(new Set())}>
        Expand all
      </Button>
      {onClearHighlight && (
        <Button size="small" variant="outlined" onClick={onClearHighlight}>
          Clear highlight
        </Button>
      )}
    </div>
  );
}
