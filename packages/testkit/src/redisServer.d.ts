import type { ChildProcess } from "node:child_process"

/** Whether `redis-server` can be run here (`.ci/run` installs it when missing). */
export declare const haveRedis: boolean
/** A loopback port free right now. */
export declare const freePort: () => Promise<number>
/**
 * Starts redis-server on `port`, resolving with its process once it accepts connections; with
 * `appendOnlyDir`, every write is logged there (AOF, fsync always) and a restart keeps the data.
 */
export declare const launchRedis: (port: number, appendOnlyDir?: string) => Promise<ChildProcess>
