// Soak test of the Node package: N createProfile calls, 64 in flight.
// Checks that memory stays flat, no file descriptor leaks and no call exceeds its timeout.
// Usage: node soak.mjs CALLS   (POSTCORE_BASE_URL / POSTCORE_API_KEY point at postcore-mock)
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Postcore } = require('../../bindings-node')

const TIMEOUT_MS = 5000
const WARMUP = 2000
const CONCURRENCY = 64

const MiB = 1024 * 1024
// RSS includes V8's reserved-but-unused heap, which grows and shrinks with its own heuristics;
// a leak shows as growth of the live JS heap or of everything outside the V8 heap.
function memory () {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss / MiB, heapUsed: m.heapUsed / MiB, native: (m.rss - m.heapTotal) / MiB }
}
const openFds = () => readdirSync('/proc/self/fd').length

async function run (client, calls) {
  let worst = 0
  let next = 0
  async function worker () {
    while (next < calls) {
      const i = next++
      const started = performance.now()
      await client.createProfile({ profileName: `soak ${i}` })
      worst = Math.max(worst, performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return worst
}

const calls = Number(process.argv[2])
const client = new Postcore({ timeout: TIMEOUT_MS })
await run(client, WARMUP)
const memStart = memory()
const fdsStart = openFds()
const started = performance.now()
const worst = await run(client, calls)
const seconds = (performance.now() - started) / 1000
const memEnd = memory()
const fdsEnd = openFds()
console.log(JSON.stringify({
  language: 'node',
  calls,
  seconds: Number(seconds.toFixed(2)),
  calls_per_second: Math.round(calls / seconds),
  rss_start_mib: Number(memStart.rss.toFixed(1)),
  rss_end_mib: Number(memEnd.rss.toFixed(1)),
  js_heap_used_start_mib: Number(memStart.heapUsed.toFixed(1)),
  js_heap_used_end_mib: Number(memEnd.heapUsed.toFixed(1)),
  outside_js_heap_start_mib: Number(memStart.native.toFixed(1)),
  outside_js_heap_end_mib: Number(memEnd.native.toFixed(1)),
  fds_start: fdsStart,
  fds_end: fdsEnd,
  slowest_call_ms: Math.round(worst)
}))
const problems = []
if (memEnd.heapUsed - memStart.heapUsed > 8) problems.push(`the live JS heap grew from ${memStart.heapUsed.toFixed(1)} to ${memEnd.heapUsed.toFixed(1)} MiB`)
if (memEnd.native - memStart.native > 16) problems.push(`memory outside the JS heap grew from ${memStart.native.toFixed(1)} to ${memEnd.native.toFixed(1)} MiB`)
if (fdsEnd > fdsStart + 2) problems.push(`file descriptors grew from ${fdsStart} to ${fdsEnd}`)
if (worst >= TIMEOUT_MS) problems.push(`a call took ${worst} ms, over the ${TIMEOUT_MS} ms timeout`)
for (const p of problems) console.error(`soak node: ${p}`)
process.exitCode = problems.length ? 1 : 0
