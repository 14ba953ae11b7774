/**
 * Waits for a fact instead of sleeping: `check` is tried every `everyMillis` until it
 * answers something other than `undefined`/`false`. `timeoutMillis` is a safety net far
 * above the expected time, never the thing a test asserts.
 */
export const eventually = async <A>(
  what: string,
  check: () => A | undefined | false | Promise<A | undefined | false>,
  options: { readonly everyMillis?: number; readonly timeoutMillis?: number } = {}
): Promise<A> => {
  const deadline = Date.now() + (options.timeoutMillis ?? 60_000)
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, options.everyMillis ?? 10))
  }
}
