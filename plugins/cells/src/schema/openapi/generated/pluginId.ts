export const pluginId = 'cells';
