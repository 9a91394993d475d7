// One measurement of one Node client, printed as one JSON line (run by bench/driver.py).
//
//   node worker.mjs seq  CLIENT   // calls one after another
//   node worker.mjs conc CLIENT   // BENCH_CONCURRENCY calls in flight
//   node worker.mjs cold CLIENT   // one call (the driver times the whole process)
//
// Settings: POSTCORE_BASE_URL, POSTCORE_API_KEY, BENCH_CALLS, BENCH_WARMUP, BENCH_CONCURRENCY.
// A call's latency runs from just before it is issued to when its promise resolves.

import { readFileSync } from 'node:fs'

import { CLIENTS } from './clients.mjs'

const CALLS = Number(process.env.BENCH_CALLS ?? 5000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)

async function sequential (call, n) {
  const latencies = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    await call()
    latencies[i] = performance.now() - start
  }
  return latencies
}

async function concurrent (call, n) {
  const latencies = new Float64Array(n)
  let next = 0
  async function work () {
    for (let i = next++; i < n; i = next++) {
      const start = performance.now()
      await call()
      latencies[i] = performance.now() - start
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, work))
  return latencies
}

function percentile (sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

// VmHWM of this process (process.resourceUsage().maxRSS also counts the parent's memory).
function peakRssKib () {
  return readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]
}

const [mode, name] = process.argv.slice(2)
const factory = CLIENTS[name]
if (!factory) throw new Error(`unknown client ${name}: ${Object.keys(CLIENTS).join(' | ')}`)
const call = factory()
if (mode === 'cold') {
  await call()
  console.log(peakRssKib())
  process.exit(0) // do not wait for idle keep-alive sockets to time out
}
const run = { seq: sequential, conc: concurrent }[mode]
if (!run) throw new Error(`unknown mode ${mode}: seq | conc | cold`)
await run(call, WARMUP)
const start = performance.now()
const latencies = await run(call, CALLS)
const elapsedMs = performance.now() - start
latencies.sort()
console.log(JSON.stringify({
  calls: CALLS,
  elapsed_s: elapsedMs / 1e3,
  calls_per_s: CALLS / (elapsedMs / 1e3),
  p50_ms: percentile(latencies, 50),
  p99_ms: percentile(latencies, 99)
}))
process.exit(0)
