export interface Config {
  cells?: {
    scaffolder?: {
      /**
       * The `cellplane:publish:local` action: writes the entity files a template
       * made into a folder that the catalog reads as a location. For a local
       * portal only; production templates open a pull request instead.
       */
      localPublish?: {
        /** Off (the default): the action refuses to run. */
        enabled?: boolean;
        /**
         * The folder new entity files are written to, relative to the backend
         * process (packages/backend). app-config must list it as a catalog
         * location, e.g. `type: file, target: ../../examples/local-catalog/*.yaml`.
         */
        path?: string;
        /**
         * Folders whose entity files a template may edit in place (e.g. adding a
         * connection to a component declared there), relative to the backend
         * process. The publish folder is always included.
         */
        editablePaths?: string[];
      };
    };
  };
}
