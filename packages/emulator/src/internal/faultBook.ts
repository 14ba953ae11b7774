import type { Fault, FaultRule, Operation } from "../Fault.js"

interface Armed {
  readonly rule: FaultRule
  seen: number
  fired: number
}

export interface FaultMatch {
  readonly fault: Fault
  readonly delayMillis: number
  readonly held: boolean
}

/** The armed fault rules and how often each has matched. */
export class FaultBook {
  private armed: Array<Armed> = []

  add(rules: ReadonlyArray<FaultRule>): void {
    for (const rule of rules) this.armed.push({ rule, seen: 0, fired: 0 })
  }

  clear(): void {
    this.armed = []
  }

  get size(): number {
    return this.armed.length
  }

  /** The first rule that matches and still has shots fires; spent rules are dropped. */
  take(operation: Operation, vectorStoreId: string | undefined, batchId: string | undefined): FaultMatch | undefined {
    for (const entry of this.armed) {
      const { rule } = entry
      if (rule.operation !== undefined && rule.operation !== operation) continue
      if (rule.vectorStoreId !== undefined && rule.vectorStoreId !== vectorStoreId) continue
      if (rule.batchId !== undefined && rule.batchId !== batchId) continue
      entry.seen += 1
      if (entry.seen <= (rule.skip ?? 0)) continue
      entry.fired += 1
      const times = rule.times ?? 1
      if (times !== "always" && entry.fired >= times) this.armed = this.armed.filter((e) => e !== entry)
      return { fault: rule.fault, delayMillis: rule.delayMillis ?? 0, held: rule.held === true }
    }
    return undefined
  }
}
