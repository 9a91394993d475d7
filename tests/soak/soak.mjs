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

const rssMiB = () => process.memoryUsage.rss() / 1024 / 1024
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
globalThis.gc?.()
const rssStart = rssMiB()
const fdsStart = openFds()
const started = performance.now()
const worst = await run(client, calls)
const seconds = (performance.now() - started) / 1000
globalThis.gc?.()
const rssEnd = rssMiB()
const fdsEnd = openFds()
console.log(JSON.stringify({
  language: 'node',
  calls,
  seconds: Number(seconds.toFixed(2)),
  calls_per_second: Math.round(calls / seconds),
  rss_start_mib: Number(rssStart.toFixed(1)),
  rss_end_mib: Number(rssEnd.toFixed(1)),
  fds_start: fdsStart,
  fds_end: fdsEnd,
  slowest_call_ms: Math.round(worst)
}))
const problems = []
if (rssEnd - rssStart > Math.max(24, rssStart * 0.25)) problems.push(`RSS grew from ${rssStart.toFixed(1)} to ${rssEnd.toFixed(1)} MiB`)
if (fdsEnd > fdsStart + 2) problems.push(`file descriptors grew from ${fdsStart} to ${fdsEnd}`)
if (worst >= TIMEOUT_MS) problems.push(`a call took ${worst} ms, over the ${TIMEOUT_MS} ms timeout`)
for (const p of problems) console.error(`soak node: ${p}`)
process.exitCode = problems.length ? 1 : 0
