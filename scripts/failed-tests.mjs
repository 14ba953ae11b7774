// Lists what failed in the output of the README's test command (turbo over vitest):
// each failed test as "package: file > name", then each failed turbo task.
// Usage: node scripts/failed-tests.mjs LOG
import { readFileSync } from "node:fs"

const [logPath] = process.argv.slice(2)
if (logPath === undefined) {
  console.error("usage: node scripts/failed-tests.mjs LOG")
  process.exit(2)
}

const ansi = /\x1b\[[0-9;]*[A-Za-z]/g
const tests = new Set()
const tasks = new Set()
for (const raw of readFileSync(logPath, "utf8").split("\n")) {
  const line = raw.replace(ansi, "")
  const test = line.match(/^(\S+?):test:\s+FAIL\s+(.+?)\s*$/)
  if (test) tests.add(`${test[1]}: ${test[2]}`)
  const failed = line.match(/^\s*Failed:\s+(\S+#.*?)\s*$/)
  if (failed) { for (const task of failed[1].split(/,\s*/)) tasks.add(task) }
}
for (const test of tests) console.log(`FAIL ${test}`)
for (const task of tasks) console.log(`failed task: ${task}`)
