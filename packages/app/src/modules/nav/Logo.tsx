import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  text: {
    fill: '#7df3e1',
    fontFamily: 'Helvetica, Arial, sans-serif',
    fontWeight: 700,
  },
  cell: {
    fill: 'none',
    stroke: '#7df3e1',
    strokeWidth: 3,
  },
  core: {
    fill: '#7df3e1',
  },
});

/** A hexagonal cell with a core: the Cellplane mark. */
const CellMark = () => {
  const classes = useStyles();
  return (
    <>
      <polygon className={classes.cell} points="16,2 28,9 28,23 16,30 4,23 4,9" />
      <circle className={classes.core} cx="16" cy="16" r="5" />
    </>
  );
};

export const LogoIcon = () => (
  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" style={{ width: 'auto', height: 28 }} role="img" aria-label="Cellplane">
    <CellMark />
  </svg>
);

export const LogoFull = () => {
  const classes = useStyles();
  return (
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 150 32" style={{ width: 'auto', height: 30 }} role="img" aria-label="Cellplane">
      <CellMark />
      <text className={classes.text} x="36" y="23" fontSize="20">
        Cellplane
      </text>
    </svg>
  );
};
