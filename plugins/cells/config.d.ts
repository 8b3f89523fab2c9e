export interface Config {
  cells?: {
    gateway?: {
      /**
       * The token providers of the front door (the cells backend's settings,
       * docs/front-door.md). Only their names reach the browser: the "New
       * service" template's authentication picker offers them.
       */
      jwtProviders?: Array<{
        /** @visibility frontend */
        name: string;
      }>;
    };
  };
}
