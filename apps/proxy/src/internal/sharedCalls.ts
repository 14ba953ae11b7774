import { Deferred, Duration, Effect, Exit, FiberId, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { AcrossReplicas, SharedAnswer } from "../SharedState.js"
import type { RedisConnection } from "./redisConnection.js"

const prefix = "filebatch:"
const channel = `${prefix}answers`

// Deletes the lock only if this replica still holds it (it may have expired and been taken).
const releaseScript =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`

/**
 * One call per key across replicas. A replica takes the key's lock (`SET NX PX`) and calls;
 * the others wait for the answer it publishes. Waiters are registered before they try the
 * lock and the holder releases the lock before it publishes, so a waiter that found the
 * lock taken always hears the answer. Nothing outlives the call: the lock is released at
 * once and the answer is only published. Redis unreachable, or no answer within the lock's
 * time (its holder died): the call runs here.
 */
export const makeSharedCalls = (redis: RedisConnection, lockMillis: number) =>
  Effect.gen(function*() {
    const waiting = new Map<string, Set<Deferred.Deferred<SharedAnswer>>>()
    let waitingOnOthers = 0
    redis.subscriber.on("message", (from: string, message: string) => {
      if (from !== channel) return
      let parsed: { key: string; shared: SharedAnswer }
      try {
        parsed = JSON.parse(message)
      } catch {
        return
      }
      const waiters = waiting.get(parsed.key)
      if (waiters === undefined) return
      waiting.delete(parsed.key)
      for (const waiter of waiters) Deferred.unsafeDone(waiter, Exit.succeed(parsed.shared))
    })
    yield* Effect.tryPromise(() => redis.subscriber.subscribe(channel)).pipe(Effect.orDie)
    // A waiter must hear the answer: only while the subscriber is connected (ioredis subscribes again on reconnect).
    let hearing = true
    redis.subscriber.on("close", () => (hearing = false))
    redis.subscriber.on("ready", () => (hearing = true))

    const redisCall = <A>(run: () => Promise<A>) =>
      Effect.tryPromise(run).pipe(
        Effect.tapError((error) => Effect.sync(() => redis.failed(error.error))),
        Effect.option
      )

    const here = <A>(call: Effect.Effect<A>) =>
      Effect.map(call, (value): AcrossReplicas<A> => ({ _tag: "Here", value }))

    const acrossReplicas = <A>(
      key: string,
      call: (othersMayWait: boolean) => Effect.Effect<A>,
      shareable: (value: A) => SharedAnswer
    ): Effect.Effect<AcrossReplicas<A>> =>
      Effect.suspend(() => {
        if (!redis.state.up() || !hearing) return here(call(false))
        const lock = `${prefix}lock:${key}`
        const token = randomUUID()
        const answered = Deferred.unsafeMake<SharedAnswer>(FiberId.none)
        const waiters = waiting.get(key) ?? new Set()
        waiters.add(answered)
        waiting.set(key, waiters)
        const stopWaiting = Effect.sync(() => {
          waiters.delete(answered)
          if (waiters.size === 0 && waiting.get(key) === waiters) waiting.delete(key)
        })
        return redisCall(() => redis.commands.set(lock, token, "PX", lockMillis, "NX")).pipe(
          Effect.flatMap((taken) => {
            if (Option.isNone(taken)) return Effect.zipRight(stopWaiting, here(call(false)))
            if (taken.value === "OK") {
              return Effect.zipRight(stopWaiting, here(call(true))).pipe(
                Effect.tap((result) =>
                  redisCall(() => redis.commands.eval(releaseScript, 1, lock, token)).pipe(
                    Effect.zipRight(redisCall(() =>
                      redis.commands.publish(
                        channel,
                        JSON.stringify({ key, shared: shareable((result as { value: A }).value) })
                      )
                    ))
                  )
                )
              )
            }
            waitingOnOthers += 1
            return Deferred.await(answered).pipe(
              Effect.map((shared): AcrossReplicas<A> => ({ _tag: "Remote", shared })),
              Effect.timeout(Duration.millis(lockMillis)),
              Effect.ensuring(Effect.zipRight(stopWaiting, Effect.sync(() => void (waitingOnOthers -= 1)))),
              Effect.catchTag("TimeoutException", () => here(call(false)))
            )
          })
        )
      })

    return { acrossReplicas, waitingOnOthers: () => waitingOnOthers }
  })
