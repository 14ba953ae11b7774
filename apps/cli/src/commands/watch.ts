/** `filebatch watch`: one batch followed until it has stopped. */
import { Command } from "@effect/cli"
import { FileBatchWatch } from "@filebatch/core"
import { Effect } from "effect"
import { follow } from "../internal/actions.js"
import {
  batchArg,
  checkedRef,
  type ClientLayer,
  described,
  maxWait,
  outputOf,
  outputOptions,
  pollInterval,
  provideClient,
  vectorStoreArg
} from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"

export const watch = (clientLayer: ClientLayer) =>
  Command.make(
    "watch",
    { ...connectionOptions, vectorStoreId: vectorStoreArg, batchId: batchArg, maxWait, pollInterval, ...outputOptions },
    (options) =>
      Effect.flatMap(
        Effect.zip(checkedRef(options), outputOf(options)),
        ([ref, output]) => provideClient(clientLayer, options)(follow(FileBatchWatch.watchResponses(ref), ref, output))
      )
  ).pipe(Command.withDescription(described("Follow a file batch until it has stopped", [
    "filebatch watch vs_abc123 vsfb_abc123",
    "filebatch watch vs_abc123 vsfb_abc123 --json --max-wait 30m"
  ])))
