import BubbleChartIcon from '@material-ui/icons/BubbleChart';

/** The sidebar and plugin icon, as an element (PageBlueprint wants an IconElement). */
export const CellsIcon = () => <BubbleChartIcon fontSize="inherit" />;
