/** `filebatch watch`: one batch followed until it has stopped. */
import { Command } from "@effect/cli"
import { FileBatchWatch } from "@filebatch/core"
import { Effect } from "effect"
import { follow } from "../internal/actions.js"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"

export const watch = (clientLayer: Shared.ClientLayer) =>
  Command.make(
    "watch",
    {
      ...connectionOptions,
      vectorStoreId: Shared.vectorStoreArg,
      batchId: Shared.batchArg,
      maxWait: Shared.maxWait,
      pollInterval: Shared.pollInterval,
      ...Shared.outputOptions
    },
    (options) =>
      Effect.flatMap(
        Effect.zip(Shared.checkedRef(options), Shared.outputOf(options)),
        ([ref, output]) =>
          Shared.provideClient(clientLayer, options)(follow(FileBatchWatch.watchResponses(ref), ref, output))
      )
  ).pipe(Command.withDescription(Shared.described("Follow a file batch until it has stopped", [
    "filebatch watch vs_abc123 vsfb_abc123",
    "filebatch watch vs_abc123 vsfb_abc123 --json --max-wait 30m"
  ])))
