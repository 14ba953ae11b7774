/** `filebatch files`: a batch's files, all pages. */
import { Command, Options } from "@effect/cli"
import { FileBatch } from "@filebatch/core"
import { Effect, Option } from "effect"
import {
  batchArg,
  checkedRef,
  type ClientLayer,
  described,
  outputOf,
  outputOptions,
  provideClient,
  vectorStoreArg
} from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"
import { listFiles } from "../internal/files.js"

export const files = (clientLayer: ClientLayer) =>
  Command.make(
    "files",
    {
      ...connectionOptions,
      vectorStoreId: vectorStoreArg,
      batchId: batchArg,
      filter: Options.choice("filter", FileBatch.KnownStatus.literals).pipe(
        Options.withDescription("Only the files with this status"),
        Options.optional
      ),
      ...outputOptions
    },
    (options) =>
      Effect.flatMap(
        Effect.zip(checkedRef(options), outputOf(options)),
        ([ref, output]) =>
          provideClient(clientLayer, options)(listFiles(ref, Option.getOrUndefined(options.filter), output))
      )
  ).pipe(Command.withDescription(described("List a batch's files, all pages (ID and status; NDJSON with --json)", [
    "filebatch files vs_abc123 vsfb_abc123 --filter cancelled",
    "filebatch files vs_abc123 vsfb_abc123 --filter failed -o ids > failed.txt"
  ])))
