import { Deferred, Duration, Effect, FiberId, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { AcrossReplicas, SharedAnswer } from "./model.js"
import type { RedisConnection } from "./redisConnection.js"

const prefix = "filebatch:"
const channel = `${prefix}answers`

// Takes the lock (0), or says how long its holder may still keep it (ms, at least 1).
const takeScript = `if redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then return 0 end
local left = redis.call("pttl", KEYS[1])
if left < 1 then return 1 end
return left`

// Deletes the lock only if this replica still holds it (it may have expired and been taken).
const releaseScript =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`

// While a replica waits on another, Redis is asked this often whether it still answers: a
// stalled Redis drops no connection, and the answer the waiter needs could never come.
const heartbeatMillis = 250

/** What a waiter hears: the holder's answer, or that Redis was lost and the answer may never come. */
type Heard = { readonly _tag: "Answered"; readonly shared: SharedAnswer } | { readonly _tag: "Lost" }

const lost: Heard = { _tag: "Lost" }

/**
 * One call per key across replicas. A replica takes the key's lock (`SET NX PX`) and calls;
 * the others wait for the answer it publishes, at most as long as the lock has left. Waiters
 * are registered before they try the lock and the holder releases the lock before it
 * publishes, so a waiter that found the lock taken always hears the answer — while Redis
 * works. Redis lost (a connection closed, a command failed, the heartbeat unanswered), or no
 * answer within the lock's time (its holder died): the call runs here, once.
 */
export const makeSharedCalls = (redis: RedisConnection, lockMillis: number) =>
  Effect.gen(function*() {
    const waiting = new Map<string, Set<Deferred.Deferred<Heard>>>()
    let waitingOnOthers = 0
    const hear = (waiters: Iterable<Deferred.Deferred<Heard>>, heard: Heard) => {
      for (const waiter of waiters) Deferred.unsafeDone(waiter, Effect.succeed(heard))
    }
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
      hear(waiters, { _tag: "Answered", shared: parsed.shared })
    })
    yield* Effect.tryPromise(() => redis.subscriber.subscribe(channel)).pipe(Effect.orDie)
    // Every waiter stops waiting at once: the answer it waits for may never reach it.
    yield* Effect.acquireRelease(
      Effect.sync(() => redis.onDown(() => hear([...waiting.values()].flatMap((waiters) => [...waiters]), lost))),
      (stopListening) => Effect.sync(stopListening)
    )

    let heartbeat: ReturnType<typeof setInterval> | undefined
    let pinging = false
    const ping = () => {
      if (pinging) return
      pinging = true
      // A failed ping marks Redis down, which releases the waiters.
      Effect.runFork(Effect.ensuring(redis.command(() => redis.commands.ping()), Effect.sync(() => (pinging = false))))
    }
    const startedWaiting = () => {
      waitingOnOthers += 1
      if (heartbeat !== undefined) return
      heartbeat = setInterval(ping, heartbeatMillis)
      heartbeat.unref()
    }
    const stoppedWaiting = () => {
      waitingOnOthers -= 1
      if (waitingOnOthers > 0 || heartbeat === undefined) return
      clearInterval(heartbeat)
      heartbeat = undefined
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(heartbeat)))

    const here = <A>(call: Effect.Effect<A>) =>
      Effect.map(call, (value): AcrossReplicas<A> => ({ _tag: "Here", value }))

    const acrossReplicas = <A>(
      key: string,
      call: (othersMayWait: boolean) => Effect.Effect<A>,
      shareable: (value: A) => SharedAnswer
    ): Effect.Effect<AcrossReplicas<A>> =>
      Effect.suspend(() => {
        if (!redis.state.up()) return here(call(false))
        const lock = `${prefix}lock:${key}`
        const token = randomUUID()
        const heard = Deferred.unsafeMake<Heard>(FiberId.none)
        const waiters = waiting.get(key) ?? new Set()
        waiters.add(heard)
        waiting.set(key, waiters)
        const stopWaiting = Effect.sync(() => {
          waiters.delete(heard)
          if (waiters.size === 0 && waiting.get(key) === waiters) waiting.delete(key)
        })
        const take = redis.command(() => redis.commands.eval(takeScript, 1, lock, token, lockMillis) as Promise<number>)
        return Effect.flatMap(take, (taken) => {
          if (Option.isNone(taken)) return Effect.zipRight(stopWaiting, here(call(false)))
          if (taken.value === 0) {
            return Effect.zipRight(stopWaiting, here(call(true))).pipe(
              Effect.tap((result) =>
                redis.command(() => redis.commands.eval(releaseScript, 1, lock, token)).pipe(
                  Effect.zipRight(redis.command(() =>
                    redis.commands.publish(
                      channel,
                      JSON.stringify({ key, shared: shareable((result as { value: A }).value) })
                    )
                  ))
                )
              )
            )
          }
          startedWaiting()
          return Deferred.await(heard).pipe(
            Effect.timeoutTo({
              duration: Duration.millis(taken.value),
              onTimeout: () => lost,
              onSuccess: (heard) => heard
            }),
            Effect.ensuring(Effect.zipRight(stopWaiting, Effect.sync(stoppedWaiting))),
            Effect.flatMap((heard) =>
              heard._tag === "Answered"
                ? Effect.succeed<AcrossReplicas<A>>({ _tag: "Remote", shared: heard.shared })
                : here(call(false))
            )
          )
        })
      })

    return { acrossReplicas, waitingOnOthers: () => waitingOnOthers }
  })
