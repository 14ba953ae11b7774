import { Deferred, Duration, Effect, FiberId, Option } from "effect"
import { randomUUID } from "node:crypto"
import type { AcrossReplicas, SharedAnswer } from "./model.js"
import type { RedisConnection } from "./redisConnection.js"

const prefix = "filebatch:"
const channel = `${prefix}answers`

/**
 * How a shared call's lock lives: `leaseMillis` unless its holder renews it, which it does
 * every `renewMillis` while its call runs.
 */
export interface LockLease {
  readonly leaseMillis: number
  readonly renewMillis: number
}

// Takes the lock (0), or says how long it has left (ms, at least 1). A lock that would outlive
// a lease (no expiry, or written with a longer one: by hand, or by an older replica) is cut to
// one: whoever wrote it, a lock nobody renews is gone within a lease.
const takeScript = `if redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then return 0 end
local lease = tonumber(ARGV[2])
local left = redis.call("pttl", KEYS[1])
if left == -1 or left > lease then
  redis.call("pexpire", KEYS[1], lease)
  return lease
end
if left < 1 then return 1 end
return left`

// Gives the lock a new lease if this holder still has it (1), else says it is gone (0).
const renewScript =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`

// Deletes the lock if this holder still has it, and publishes the answer, in one step: no
// replica can find the lock gone before the answer is on its way to every waiter.
const answerScript = `if redis.call("get", KEYS[1]) == ARGV[1] then redis.call("del", KEYS[1]) end
return redis.call("publish", ARGV[2], ARGV[3])`

// While a replica waits on another, Redis is asked this often whether it still answers: a
// stalled Redis drops no connection, and the answer the waiter needs could never come.
const heartbeatMillis = 250

/** What a waiter hears: the holder's answer, that Redis was lost, or that the lock's lease ran out. */
type Heard =
  | { readonly _tag: "Answered"; readonly shared: SharedAnswer }
  | { readonly _tag: "Lost" }
  | { readonly _tag: "LeaseOver" }

const lost: Heard = { _tag: "Lost" }
const leaseOver: Heard = { _tag: "LeaseOver" }

/**
 * One call per key across replicas. A replica takes the key's lock (`SET NX PX` for a
 * lease of seconds), renews the lease while it calls, then deletes the lock and publishes
 * the answer in one script; the others wait for that answer. Waiters are registered before
 * they try the lock, so a waiter that found the lock taken always hears the answer — while
 * Redis works. A waiter whose lock's lease runs out tries the lock again: still held (its
 * holder renewed it), it waits on; gone with no answer (its holder died, or nobody held it:
 * a take that timed out here and ran on Redis later), it takes the lock and calls itself,
 * once. Redis lost (a connection closed, a command failed, the heartbeat unanswered): the
 * call runs here, once.
 */
export const makeSharedCalls = (redis: RedisConnection, lease: LockLease) =>
  Effect.gen(function*() {
    const waiting = yield* listenForAnswers(redis)
    const heartbeat = yield* makeHeartbeat(redis)

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
        let counted = false
        // Idempotent: every way out of the wait runs it, and interruption too.
        const stopWaiting = Effect.sync(() => {
          waiters.delete(heard)
          if (waiters.size === 0 && waiting.get(key) === waiters) waiting.delete(key)
          if (counted) heartbeat.stopped()
          counted = false
        })
        const startWaiting = Effect.sync(() => {
          if (!counted) heartbeat.started()
          counted = true
        })
        const take = redis.command(() =>
          redis.commands.eval(takeScript, 1, lock, token, lease.leaseMillis) as Promise<number>
        )
        // Until the answer comes, Redis is lost, or the lock is free to take.
        const attempt: Effect.Effect<AcrossReplicas<A>> = Effect.flatMap(take, (taken) => {
          if (Option.isNone(taken)) return Effect.zipRight(stopWaiting, here(call(false)))
          if (taken.value === 0) {
            return Effect.zipRight(stopWaiting, holding(redis, lease, key, lock, token, call(true), shareable))
          }
          return Deferred.await(heard).pipe(
            Effect.timeoutTo({
              duration: Duration.millis(taken.value),
              onTimeout: () => leaseOver,
              onSuccess: (heard) => heard
            }),
            (wait) => Effect.zipRight(startWaiting, wait),
            Effect.flatMap((heard): Effect.Effect<AcrossReplicas<A>> =>
              heard._tag === "Answered"
                ? Effect.as(stopWaiting, { _tag: "Remote", shared: heard.shared })
                : heard._tag === "Lost"
                ? Effect.zipRight(stopWaiting, here(call(false)))
                : attempt
            )
          )
        })
        return Effect.ensuring(attempt, stopWaiting)
      })

    return { acrossReplicas, waitingOnOthers: heartbeat.waiting }
  })

/**
 * The waiters of each key, told the answer its holder publishes (on any replica), or that
 * Redis is lost: every waiter then stops waiting at once, as the answer may never reach it.
 */
const listenForAnswers = (redis: RedisConnection) =>
  Effect.gen(function*() {
    const waiting = new Map<string, Set<Deferred.Deferred<Heard>>>()
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
    yield* Effect.acquireRelease(
      Effect.sync(() => redis.onDown(() => hear([...waiting.values()].flatMap((waiters) => [...waiters]), lost))),
      (stopListening) => Effect.sync(stopListening)
    )
    return waiting
  })

/** `call` under the lock: its lease renewed while it runs, then the lock deleted and the answer published. */
const holding = <A>(
  redis: RedisConnection,
  lease: LockLease,
  key: string,
  lock: string,
  token: string,
  call: Effect.Effect<A>,
  shareable: (value: A) => SharedAnswer
) =>
  renewedWhile(redis, lock, token, lease, call).pipe(
    Effect.tap((value) =>
      redis.command(() =>
        redis.commands.eval(answerScript, 1, lock, token, channel, JSON.stringify({ key, shared: shareable(value) }))
      )
    ),
    Effect.map((value): AcrossReplicas<A> => ({ _tag: "Here", value }))
  )

/**
 * Counts the calls waiting on another replica, and pings Redis every 250 ms while any does:
 * a failed ping marks Redis down, which releases the waiters.
 */
const makeHeartbeat = (redis: RedisConnection) =>
  Effect.gen(function*() {
    let waitingOnOthers = 0
    let timer: ReturnType<typeof setInterval> | undefined
    let pinging = false
    const ping = () => {
      if (pinging) return
      pinging = true
      Effect.runFork(Effect.ensuring(redis.command(() => redis.commands.ping()), Effect.sync(() => (pinging = false))))
    }
    const started = () => {
      waitingOnOthers += 1
      if (timer !== undefined) return
      timer = setInterval(ping, heartbeatMillis)
      timer.unref()
    }
    const stopped = () => {
      waitingOnOthers -= 1
      if (waitingOnOthers > 0 || timer === undefined) return
      clearInterval(timer)
      timer = undefined
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(timer)))
    return { waiting: () => waitingOnOthers, started, stopped }
  })

/**
 * `call`, with the lock's lease renewed every `renewMillis` while it runs. A renewal that
 * finds the lock gone (this replica stalled past the lease, and another took it) changes
 * nothing here: the call goes on, and a cancel sent twice does what it does once.
 */
const renewedWhile = <A>(
  redis: RedisConnection,
  lock: string,
  token: string,
  lease: LockLease,
  call: Effect.Effect<A>
): Effect.Effect<A> =>
  Effect.suspend(() => {
    let renewing = false
    const renew = () => {
      if (renewing) return
      renewing = true
      Effect.runFork(Effect.ensuring(
        redis.command(() => redis.commands.eval(renewScript, 1, lock, token, lease.leaseMillis)),
        Effect.sync(() => (renewing = false))
      ))
    }
    const timer = setInterval(renew, lease.renewMillis)
    timer.unref()
    return Effect.ensuring(call, Effect.sync(() => clearInterval(timer)))
  })
