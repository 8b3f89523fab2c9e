import { IdentityProviders, SignInPage } from '@backstage/core-components';
import { configApiRef, githubAuthApiRef, useApi } from '@backstage/core-plugin-api';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint, SignInPageProps } from '@backstage/plugin-app-react';

const github = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * The sign-in page. Which providers it offers comes from
 * `cellplane.signInProviders` (default: guest, for the local portal);
 * app-config.production.yaml switches to GitHub.
 */
export function CellplaneSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const names = config.getOptionalStringArray('cellplane.signInProviders') ?? ['guest'];
  const providers: IdentityProviders = names.map(name => (name === 'github' ? github : 'guest'));
  return <SignInPage {...props} title="Cellplane" align="center" providers={providers} />;
}

const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => CellplaneSignInPage,
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});
