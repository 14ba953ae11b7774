// Preloaded into a benchmarked process (node --import): at exit, its CPU time (µs) goes to
// the file named by FILEBATCH_BENCH_CPU_FILE, since a parent cannot read a reaped child's.
import { writeFileSync } from "node:fs"

process.on("exit", () => {
  const { system, user } = process.cpuUsage()
  writeFileSync(process.env.FILEBATCH_BENCH_CPU_FILE, String(user + system))
})
