/** `filebatch files`: a batch's files, all pages. */
import { Command, Options } from "@effect/cli"
import { FileBatch } from "@filebatch/core"
import { Effect, Option } from "effect"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"
import { listFiles } from "../internal/files.js"

export const files = (clientLayer: Shared.ClientLayer) =>
  Command.make(
    "files",
    {
      ...connectionOptions,
      vectorStoreId: Shared.vectorStoreArg,
      batchId: Shared.batchArg,
      filter: Options.choice("filter", FileBatch.KnownStatus.literals).pipe(
        Options.withDescription("Only the files with this status"),
        Options.optional
      ),
      ...Shared.outputOptions
    },
    (options) =>
      Effect.flatMap(
        Effect.zip(Shared.checkedRef(options), Shared.outputOf(options)),
        ([ref, output]) =>
          Shared.provideClient(clientLayer, options)(listFiles(ref, Option.getOrUndefined(options.filter), output))
      )
  ).pipe(
    Command.withDescription(Shared.described("List a batch's files, all pages (ID and status; NDJSON with --json)", [
      "filebatch files vs_abc123 vsfb_abc123 --filter cancelled",
      "filebatch files vs_abc123 vsfb_abc123 --filter failed -o ids > failed.txt"
    ]))
  )
