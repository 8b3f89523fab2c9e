export interface Config {
  cellplane?: {
    /**
     * Sign-in providers offered by the portal, in order: 'guest' (local use;
     * needs auth.providers.guest) and/or 'github' (needs auth.providers.github).
     * Defaults to ['guest'].
     * @visibility frontend
     */
    signInProviders?: Array<'guest' | 'github'>;
  };
}
