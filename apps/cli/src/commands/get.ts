/** `filebatch get`: one batch as it is now. */
import { Command } from "@effect/cli"
import { FileBatchApi } from "@filebatch/core"
import { Effect } from "effect"
import { showBatch } from "../internal/actions.js"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"

export const get = (clientLayer: Shared.ClientLayer) =>
  Command.make(
    "get",
    { ...connectionOptions, vectorStoreId: Shared.vectorStoreArg, batchId: Shared.batchArg, ...Shared.outputOptions },
    (options) =>
      Effect.flatMap(
        Effect.zip(Shared.checkedRef(options), Shared.outputOf(options)),
        ([ref, output]) =>
          Shared.provideClient(clientLayer, options)(
            Effect.asVoid(showBatch(FileBatchApi.operations.retrieve, ref, output))
          )
      )
  ).pipe(Command.withDescription(Shared.described("Show a file batch", ["filebatch get vs_abc123 vsfb_abc123 --json"])))
