/**
 * `create-syncmodes-destination`: writes a new syncmodes destination package
 * (`npm create syncmodes-destination <id>`). The same templates make the syncmodes
 * repository's own packages (its Nx generator, monorepo flavour).
 */
export { main, type CreateIo } from './cli';
export { names, type Names } from './names';
export { SYNC_MODES, resolveOptions, type DestinationInput, type DestinationOptions, type Flavour, type SyncModeName } from './options';
export { SYNCMODES_REPOSITORY, packageJson } from './package-json';
export { TEMPLATES_DIR, renderDestination, type GeneratedFile, type MonorepoPlacement } from './render';
export { UsageError } from './usage-error';
export { VERSIONS } from './versions';
export { writeDestination } from './write';
