// One Node member of the fleet (tests/fleet/fleet.py): calls profiles.list from CONCURRENCY
// loops as fast as it can until its deadline, through the store in POSTCORE_STORE, and prints
// what it got.
//
//     node worker.mjs SECONDS [CONCURRENCY]
import { Postcore, PostcoreError, RateLimitError } from 'postcore'

const seconds = Number(process.argv[2])
const concurrency = Number(process.argv[3] ?? 8)
// The longest a call waits for the shared budget: a little more than a window, so that calls
// wait for their slot (as an app would) rather than being refused and retried at once.
const maxRateLimitWait = Number(process.argv[4] ?? 5) * 1000
const counts = {}
const count = (what) => { counts[what] = (counts[what] ?? 0) + 1 }
const client = new Postcore({ maxRateLimitWait })
const started = performance.now()
const deadline = started + seconds * 1000

async function loop () {
  while (performance.now() < deadline) {
    try {
      await client.profiles.list()
      count('ok')
    } catch (error) {
      if (!(error instanceof PostcoreError)) throw error
      // attempts === 0: the shared budget had no slot in time, nothing was sent.
      if (error instanceof RateLimitError) count(error.attempts === 0 ? 'budget_wait' : 'server_429')
      else count(error.name)
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, loop))
console.log(JSON.stringify({ kind: 'node', counts, seconds: (performance.now() - started) / 1000 }))
