import * as path from "node:path"
import { defineConfig } from "vitest/config"

const here = path.dirname(new URL(import.meta.url).pathname)

// Tests run against sources, not builds: a stale dist must never make a test pass.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@filebatch\/core$/, replacement: path.join(here, "packages/core/src/index.ts") },
      { find: /^@filebatch\/core\/AttemptLimit$/, replacement: path.join(here, "packages/core/src/AttemptLimit.ts") },
      { find: /^@filebatch\/emulator$/, replacement: path.join(here, "packages/emulator/src/index.ts") },
      { find: /^@filebatch\/undici$/, replacement: path.join(here, "packages/undici/src/index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Safety nets only, far above any expected time: no verdict may depend on them.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    sequence: { concurrent: false }
  }
})
