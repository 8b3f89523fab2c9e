import { Sidebar, SidebarDivider, SidebarGroup, SidebarItem, SidebarScrollWrapper, SidebarSpace } from '@backstage/core-components';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import MenuIcon from '@material-ui/icons/Menu';
import { SidebarLogo } from './SidebarLogo';

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      const nav = navItems.withComponent(item => <SidebarItem icon={() => item.icon} to={item.href} text={item.title} />);

      return (
        <Sidebar>
          <SidebarLogo />
          <SidebarDivider />
          <SidebarGroup label="Menu" icon={<MenuIcon />}>
            {nav.take('page:catalog')}
            <SidebarDivider />
            <SidebarScrollWrapper>{nav.rest({ sortBy: 'title' })}</SidebarScrollWrapper>
          </SidebarGroup>
          <SidebarSpace />
        </Sidebar>
      );
    },
  },
});
