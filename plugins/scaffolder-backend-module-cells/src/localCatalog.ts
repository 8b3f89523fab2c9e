import path from 'node:path';
import { ANNOTATION_LOCATION, Entity, parseLocationRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';

/** `cells.scaffolder.localPublish`, with paths resolved against the backend's working directory. */
export interface LocalPublishSettings {
  enabled: boolean;
  /** Absolute folder new entity files go to. */
  path?: string;
  /** Absolute folders whose entity files may be edited in place (the publish folder among them). */
  editablePaths: string[];
}

export function readLocalPublish(config: Config): LocalPublishSettings {
  const section = config.getOptionalConfig('cells.scaffolder.localPublish');
  const enabled = section?.getOptionalBoolean('enabled') ?? false;
  const folder = section?.getOptionalString('path');
  if (enabled && !folder) {
    throw new InputError(
      'cells.scaffolder.localPublish.path: missing. Fix: set it to the catalog folder app-config lists as a location, e.g. ../../examples/local-catalog.',
    );
  }
  const publishPath = folder ? path.resolve(folder) : undefined;
  const editable = (section?.getOptionalStringArray('editablePaths') ?? []).map(p => path.resolve(p));
  return {
    enabled,
    path: publishPath,
    editablePaths: publishPath ? [publishPath, ...editable] : editable,
  };
}

export function requireLocalPublish(config: Config): LocalPublishSettings & { path: string } {
  const settings = readLocalPublish(config);
  if (!settings.enabled || !settings.path) {
    throw new NotAllowedError(
      'Local publishing is off. Fix: set cells.scaffolder.localPublish.enabled: true and its path in app-config (local portals only), or publish with publish:github:pull-request.',
    );
  }
  return settings as LocalPublishSettings & { path: string };
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * The local file an entity came from (its `backstage.io/managed-by-location`
 * `file:` target), only when it lies in one of the editable folders: a
 * template never writes anywhere else.
 */
export function editableSourceFile(entity: Entity, settings: LocalPublishSettings): string {
  const ref = stringifyEntityRef(entity);
  const location = entity.metadata.annotations?.[ANNOTATION_LOCATION];
  if (!location) {
    throw new InputError(`${ref} has no ${ANNOTATION_LOCATION} annotation. Fix: edit its file by hand, or register it from a file.`);
  }
  const { type, target } = parseLocationRef(location);
  if (type !== 'file') {
    throw new InputError(
      `${ref} comes from ${location}, not a local file. Fix: fetch that file into the workspace first (fetch:plain:file) and publish with a pull request.`,
    );
  }
  const file = path.resolve(target);
  if (!settings.editablePaths.some(folder => isInside(file, folder))) {
    throw new NotAllowedError(
      `${ref} comes from ${file}, outside the folders templates may edit. Fix: add its folder to cells.scaffolder.localPublish.editablePaths, or edit the file by hand.`,
    );
  }
  return file;
}
