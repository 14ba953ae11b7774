// The comparison point: a one-shot cancel with the official `openai` package.
import OpenAI from "openai"

const [vectorStoreId, batchId] = process.argv.slice(2)
const client = new OpenAI()
const batch = await client.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId })
console.log(JSON.stringify(batch))
