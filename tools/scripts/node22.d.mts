/** True when a `vMAJOR.MINOR.PATCH` version is at least 22.12. */
export function isNode22(version: string): boolean;
/** The path of a Node ≥ 22.12 binary: this one, `$SYNCMODES_NODE22`, or the npm registry's `node@22` through npx. */
export function node22Path(): string;
