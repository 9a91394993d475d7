// One Node process of the idempotency test (tests/idempotency/race.py): one keyed
// posts.create (or profiles.create) through the store in POSTCORE_STORE (key and base URL from
// the environment), reported as one JSON line on stdout. SPEC is the same JSON as worker.py's
// (Python spelling, seconds).
//
//     node worker.mjs SPEC
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { Postcore, PostcoreError } from 'postcore'

const spec = JSON.parse(process.argv[2])
const client = new Postcore({ timeout: spec.timeout * 1000, maxRateLimitWait: spec.max_rate_limit_wait * 1000 })

if (spec.barrier) {
  // Ready: wait for the go (a line on stdin) so that the racers start together.
  const lines = createInterface({ input: process.stdin })
  console.log(JSON.stringify({ ready: true }))
  await once(lines, 'line')
  lines.close()
}

const options = spec.call_timeout == null ? {} : { timeout: spec.call_timeout * 1000 }
const started = Date.now() / 1000
const out = { who: 'node', started }
try {
  if (spec.op === 'profiles.create') {
    const profile = await client.profiles.create({ profileName: spec.profile_name, idempotencyKey: spec.key }, options)
    Object.assign(out, { ok: true, ids: [profile.profileKey] })
  } else {
    const result = await client.posts.create({
      profileKey: spec.profile_key,
      content: spec.content,
      platforms: spec.platforms,
      scheduledFor: new Date(spec.scheduled_for),
      idempotencyKey: spec.key
    }, options)
    Object.assign(out, { ok: true, ids: result.posts.map((p) => p.postId) })
  }
} catch (error) {
  if (!(error instanceof PostcoreError)) throw error
  Object.assign(out, { ok: false, error: error.name, message: error.message, mayHaveBeenProcessed: error.mayHaveBeenProcessed ?? null })
}
out.ended = Date.now() / 1000
console.log(JSON.stringify(out))
