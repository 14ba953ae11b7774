import { randomBytes, randomUUID } from "node:crypto"

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/** An OpenAI-looking ID: `prefix` and 24 random letters and digits. */
export const newId = (prefix: string): string =>
  prefix + Array.from(randomBytes(24), (byte) => alphabet[byte % alphabet.length]).join("")

export const newRequestId = (): string => `req_${randomUUID().replace(/-/g, "")}`
