/**
 * The `filebatch` command tree, assembled from one module per command. The client and HTTP
 * layers are handed in by `main.ts`, which alone chooses the HTTP client.
 */
import { Command } from "@effect/cli"
import type { HttpClient } from "@effect/platform"
import type { Layer } from "effect"
import { audit } from "./commands/audit.js"
import { cancel } from "./commands/cancel.js"
import { cleanup } from "./commands/cleanup.js"
import { emulator } from "./commands/emulator.js"
import { files } from "./commands/files.js"
import { get } from "./commands/get.js"
import { resubmit } from "./commands/resubmit.js"
import { watch } from "./commands/watch.js"
import type { ClientLayer } from "./internal/command.js"

export type { ClientLayer } from "./internal/command.js"
export { CliFailure } from "./internal/failure.js"

/** The names of the commands, in the order `filebatch --help` lists them (and for suggestions when one is misspelt). */
export const commandNames = ["cancel", "get", "watch", "files", "resubmit", "cleanup", "audit", "emulator"] as const

/** The command tree, given how to build the client. */
export const make = (clientLayer: ClientLayer, httpLayer: Layer.Layer<HttpClient.HttpClient>) =>
  Command.make("filebatch").pipe(
    Command.withDescription("Cancel OpenAI vector store file batches, and know when they have stopped"),
    Command.withSubcommands(
      [
        cancel(clientLayer),
        get(clientLayer),
        watch(clientLayer),
        files(clientLayer),
        resubmit(clientLayer),
        cleanup(clientLayer),
        audit(httpLayer),
        emulator
      ] as const
    )
  )
