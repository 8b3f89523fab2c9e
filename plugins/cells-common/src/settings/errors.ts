/** A setting that cannot be used; names the config key and the fix. */
export class SettingsError extends Error {
  constructor(readonly key: string, message: string, readonly fix: string) {
    super(`cells.${key}: ${message}. Fix: ${fix}.`);
    this.name = 'SettingsError';
  }
}
