/**
 * Client keys: each one a name, the SHA-256 of the key, the vector stores it may touch,
 * and the operations it may call. The proxy only ever holds the hashes.
 */
import { FileBatchApi } from "@filebatch/core"
import { Context, Schema } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"

const operationNames = Object.keys(FileBatchApi.operations) as [
  FileBatchApi.OperationName,
  ...Array<FileBatchApi.OperationName>
]

/**
 * What a key without `operations` may call: what every key could call before keys named
 * operations. An operation added later is granted only to keys that name it (or `"*"`).
 */
export const defaultOperations: ReadonlyArray<FileBatchApi.OperationName> = [
  "cancel",
  "retrieve",
  "listFiles",
  "createFileBatch"
]

export const ClientKeyEntry = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  /** Hex SHA-256 of the key, e.g. `printf %s "$KEY" | sha256sum`. */
  sha256: Schema.String.pipe(
    Schema.pattern(/^[0-9a-fA-F]{64}$/, { message: () => "sha256 must be 64 hexadecimal characters" })
  ),
  /** Vector store IDs this key may touch, or `"*"` for all. */
  vectorStores: Schema.Union(Schema.Literal("*"), Schema.Array(Schema.String)),
  /** Core's operation names this key may call, or `"*"` for every one, later ones too; absent: {@link defaultOperations}. */
  operations: Schema.optionalWith(
    Schema.Union(Schema.Literal("*"), Schema.Array(Schema.Literal(...operationNames))).annotations({
      message: () => ({ message: `operations must be "*" or a list of: ${operationNames.join(", ")}`, override: true })
    }),
    { exact: true }
  )
})

export type ClientKeyEntry = typeof ClientKeyEntry.Type

const firstRepeat = (values: ReadonlyArray<string>): string | undefined =>
  values.find((value, index) => values.indexOf(value) !== index)

/** At least one key; names and hashes each once, so that no entry silently shadows another. */
export const ClientKeyList = Schema.Array(ClientKeyEntry).pipe(
  Schema.minItems(1),
  Schema.filter((entries) => {
    const name = firstRepeat(entries.map((entry) => entry.name))
    if (name !== undefined) return `the name ${JSON.stringify(name)} is given to more than one key`
    const hash = firstRepeat(entries.map((entry) => entry.sha256.toLowerCase()))
    if (hash !== undefined) {
      const names = entries.filter((entry) => entry.sha256.toLowerCase() === hash).map((entry) => entry.name)
      return `the keys ${names.map((n) => JSON.stringify(n)).join(" and ")} have the same sha256`
    }
    return undefined
  })
)

export interface ClientKey {
  readonly name: string
  readonly allows: (vectorStoreId: string) => boolean
  /** Whether the key may call the operation of core's table of this name. */
  readonly may: (operation: string) => boolean
}

export const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest()

/**
 * Looks keys up by hash. Every configured hash is compared, each in constant time, so
 * the time taken says nothing about which key, or how much of one, matched.
 */
export const makeKeyring = (initial: ReadonlyArray<ClientKeyEntry>) => {
  const compile = (entries: ReadonlyArray<ClientKeyEntry>) =>
    entries.map((entry) => {
      const stores = entry.vectorStores === "*" ? undefined : new Set(entry.vectorStores)
      const operations = entry.operations === "*" ? undefined : new Set<string>(entry.operations ?? defaultOperations)
      return {
        hash: Buffer.from(entry.sha256, "hex"),
        key: {
          name: entry.name,
          allows: (vectorStoreId: string) => stores === undefined || stores.has(vectorStoreId),
          may: (operation: string) => operations === undefined || operations.has(operation)
        } satisfies ClientKey
      }
    })
  let keys = compile(initial)
  return {
    size: () => keys.length,
    /** Replaces every key at once: requests see the old set or the new one, never a mix. */
    replace: (entries: ReadonlyArray<ClientKeyEntry>) => {
      keys = compile(entries)
    },
    find: (presented: string): ClientKey | undefined => {
      const hash = sha256(presented)
      let found: ClientKey | undefined
      for (const entry of keys) {
        if (timingSafeEqual(entry.hash, hash) && found === undefined) found = entry.key
      }
      return found
    }
  }
}

export type Keyring = ReturnType<typeof makeKeyring>

/** The client keys in force (reloaded from their file while the proxy runs). */
export class ClientKeys extends Context.Tag("@filebatch/proxy/ClientKeys")<ClientKeys, Keyring>() {}
