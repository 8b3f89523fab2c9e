import MuiLink from '@material-ui/core/Link';
import { Link as RouterLink, useLocation } from 'react-router-dom';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { portfolioRouteRef, rootRouteRef } from '../routes';

/** In the header of the cells pages: to the portfolio from the graph, and back. */
export function CellsHeaderLink() {
  const root = useRouteRef(rootRouteRef);
  const portfolio = useRouteRef(portfolioRouteRef);
  const { pathname } = useLocation();
  const portfolioPath = portfolio?.();
  if (!portfolioPath || !root) return null;
  const onPortfolio = pathname.startsWith(portfolioPath);
  return (
    <MuiLink component={RouterLink} to={onPortfolio ? root() : portfolioPath} variant="button" style={{ padding: '0 8px' }}>
      {onPortfolio ? 'Cells graph' : 'Portfolio'}
    </MuiLink>
  );
}
