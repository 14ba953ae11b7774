/** Which API operation a request names, by core's table of operations. */
import { FileBatchApi, PathTemplate } from "@filebatch/core"

/** The API's routes, from core's table of operations: one entry there is one route here. */
export const matchApi: (
  method: string,
  path: string
) => PathTemplate.Match<FileBatchApi.AnyOperation> | undefined = PathTemplate.router(FileBatchApi.operations, "/v1")

export type ApiMatch = PathTemplate.Match<FileBatchApi.AnyOperation>
