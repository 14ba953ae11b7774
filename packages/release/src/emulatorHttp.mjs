// The emulator as the release and image checks drive it: over its HTTP API, as a user's
// program would, from outside the process that runs it.

/** The emulator's API at `url` (…/v1) with `key`: batches made, progress and cancels held and let go. */
export const emulatorHttp = (url, key) => {
  const origin = url.replace(/\/v1$/, "")
  const send = async (at, body) => {
    const answer = await fetch(at, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    if (!answer.ok) throw new Error(`emulator ${at}: ${answer.status} ${await answer.text()}`)
    return answer.json()
  }
  return {
    /** A vector store with one batch of `files` files. */
    seed: async (files = 2) => {
      const store = await send(`${url}/vector_stores`, { name: "release-check" })
      const batch = await send(`${url}/vector_stores/${store.id}/file_batches`, {
        file_ids: Array.from({ length: files }, (_, i) => `file-${i}`)
      })
      return { vectorStoreId: store.id, batchId: batch.id }
    },
    /** Cancels of `batchId` wait upstream until `release`. */
    holdCancels: (batchId) =>
      send(`${origin}/__emulator/faults`, [{ batchId, operation: "cancel", fault: { kind: "hold" } }]),
    held: async () => (await (await fetch(`${origin}/__emulator/held`)).json()).held,
    release: () => send(`${origin}/__emulator/release`, {}),
    /** Batch time goes on from where it was held (an emulator started with `--hold`). */
    resumeProgress: () => send(`${origin}/__emulator/progress`, { hold: false }),
    /**
     * Resolves once the emulator has answered `operation` on `batchId`, or once `gaveUp()` says
     * the program that should send it has ended (its own result then says why).
     */
    answered: async (operation, batchId, gaveUp) => {
      for (;;) {
        const log = await (await fetch(`${origin}/__emulator/requests`)).json()
        const seen = log.some((entry) =>
          entry.operation === operation && entry.batchId === batchId && typeof entry.status === "number"
        )
        if (seen || gaveUp()) return seen
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }
}
