/**
 * The versions a generated package asks for. The peers are what the syncmodes packages
 * of this release need; the dev tools are pinned to the versions the syncmodes repository
 * builds and tests with on Node 20 (tools/test/create-destination.test.ts fails when they
 * drift from the workspace's).
 */
export const VERSIONS = {
  /** `@syncmodes/connector-kit`, a peer dependency (and a dev dependency for the tests). */
  kit: '^0.1.0',
  /** `zod`, a peer dependency: the config schema is built with the kit's zod. */
  zod: '^4.6.7',
  /** `path-to-regexp`, the emulator toolkit's router: an optional peer (needed by `./emulator` only). */
  pathToRegexp: '^8.3.0',
  typescript: '5.9.3',
  tsup: '8.5.1',
  vitest: '4.1.12',
  typesNode: '^20.19.0',
  eslint: '^9.39.0',
  eslintJs: '^9.39.0',
  typescriptEslint: '^8.74.0',
  publint: '^0.3.25',
  attw: '^0.18.5',
} as const;
