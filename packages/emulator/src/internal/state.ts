import type { EmulatorSettings } from "../EmulatorConfig.js"
import type { Progress } from "../Progress.js"
import type { RequestLogEntry } from "../RequestLog.js"
import type { Store } from "../Store.js"
import type { FaultBook } from "./faultBook.js"
import type { HeldRequests } from "./heldRequests.js"
import type { RateLimiter } from "./rateLimiter.js"

/** Everything one running emulator holds, shared by its API and admin routes. */
export interface AppState {
  readonly settings: EmulatorSettings
  readonly store: Store
  readonly progress: Progress
  readonly faults: FaultBook
  readonly held: HeldRequests
  readonly log: Array<RequestLogEntry>
  readonly limiter: RateLimiter | undefined
}
