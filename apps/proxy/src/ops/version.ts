/** Written from package.json by scripts/sync-versions.mjs (`pnpm version-packages`); never by hand. */
export const version = "0.2.0"
