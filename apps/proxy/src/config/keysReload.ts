import { Effect, Either, Layer, Runtime } from "effect"
import { type Stats, unwatchFile, watchFile } from "node:fs"
import { ClientKeys, type Keyring } from "./ClientKeys.js"
import { ProxyConfig, readKeysFile } from "./ProxyConfig.js"

/**
 * Reloads the client keys from their file on SIGHUP, or when the file changes (polled:
 * a Kubernetes ConfigMap is replaced through a symbolic link, which file events miss).
 * A file that does not read or check keeps the keys in force, and says why.
 */
export const reloadKeysFrom = (
  path: string,
  keyring: Keyring,
  runFork: (effect: Effect.Effect<void>) => unknown
) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const reload = (trigger: string) =>
        runFork(Either.match(readKeysFile(path), {
          onLeft: (reason) =>
            Effect.logWarning("client keys not reloaded; the keys in force stay").pipe(
              Effect.annotateLogs({ reason, trigger, client_keys: keyring.size() })
            ),
          onRight: (entries) =>
            Effect.suspend(() => {
              keyring.replace(entries)
              return Effect.logInfo("client keys reloaded").pipe(
                Effect.annotateLogs({ trigger, client_keys: entries.length })
              )
            })
        }))
      const onHangUp = () => reload("SIGHUP")
      const onChange = (now: Stats, before: Stats) => {
        if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) reload("file changed")
      }
      process.on("SIGHUP", onHangUp)
      watchFile(path, { interval: 1000, persistent: false }, onChange)
      return { onHangUp, onChange }
    }),
    ({ onChange, onHangUp }) =>
      Effect.sync(() => {
        process.off("SIGHUP", onHangUp)
        unwatchFile(path, onChange)
      })
  )

/** The configured keys; from a file, reloaded while the layer is open. */
export const layer: Layer.Layer<ClientKeys, never, ProxyConfig> = Layer.scoped(
  ClientKeys,
  Effect.gen(function*() {
    const { keyring, keysFile } = yield* ProxyConfig
    if (keysFile !== undefined) {
      yield* reloadKeysFrom(keysFile, keyring, Runtime.runFork(yield* Effect.runtime<never>()))
    }
    return keyring
  })
)
