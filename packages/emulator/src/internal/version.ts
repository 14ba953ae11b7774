/** Written from package.json by scripts/sync-versions.mjs (`pnpm version-packages`); never by hand. */
export const libraryVersion = "0.2.0"
