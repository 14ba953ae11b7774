/** `filebatch get`: one batch as it is now. */
import { Command } from "@effect/cli"
import { FileBatchApi } from "@filebatch/core"
import { Effect } from "effect"
import { showBatch } from "../internal/actions.js"
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

export const get = (clientLayer: ClientLayer) =>
  Command.make(
    "get",
    { ...connectionOptions, vectorStoreId: vectorStoreArg, batchId: batchArg, ...outputOptions },
    (options) =>
      Effect.flatMap(
        Effect.zip(checkedRef(options), outputOf(options)),
        ([ref, output]) =>
          provideClient(clientLayer, options)(Effect.asVoid(showBatch(FileBatchApi.operations.retrieve, ref, output)))
      )
  ).pipe(Command.withDescription(described("Show a file batch", ["filebatch get vs_abc123 vsfb_abc123 --json"])))
