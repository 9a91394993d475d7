// The README's Node examples (bindings-node/README.md and the repository README), type-checked
// with `tsc --strict` (ESM). Never run: it only has to compile, and wrong uses must not.
import {
  Postcore, createProfile, RateLimitError, PostcoreError, PlatformsNotConnectedError, WaitTimeoutError, type Events,
  type APIPromise
} from 'postcore'
import type {
  CreatedProfile, Profile, ClientOptions, RequestOptions, Post, ScheduledPosts, Connection, APIResponse, RateLimit,
  Event, EventType, EventsOptions
} from 'postcore'
import { SIGNATURE_HEADER, signWebhook, verifyWebhook, WebhookSignatureError } from 'postcore/webhooks'

const apiKey = process.env.POSTCORE_API_KEY
const baseUrl = process.env.POSTCORE_BASE_URL

const options: ClientOptions = {
  apiKey,
  baseUrl,
  timeout: 60_000,
  maxRetries: 2,
  maxConnections: 100,
  defaultHeaders: { 'X-Team': 'growth' },
  proxy: 'http://proxy.example.com:3128',
  extraCaCerts: '/etc/company/ca.pem'
}
const client = new Postcore(options)
new Postcore({ extraCaCerts: ['/a.pem', '/b.pem'] })
const patient: Postcore = client.withOptions({ timeout: 120_000, maxRetries: 5 })

const { profileKey, profileName } = await client.createProfile({ profileName: 'User: john@example.com' })
const key: string = profileKey
const name: string | null = profileName
await createProfile({ profileName: 'User: john@example.com' }) // client from env

const controller = new AbortController()
const signal = controller.signal
const perCall: RequestOptions = { signal, timeout: 5_000, maxRetries: 0, headers: { 'X-Trace-Id': 't' } }
const profile: CreatedProfile = await client.profiles.create({ profileName: 'User: john@example.com' }, perCall)
const profiles: Profile[] = await client.profiles.list()
await client.profiles.delete(profile.profileKey)
const url: string = client.profiles.linkedInConnectUrl({ returnUrl: 'https://app.example.com/connected', profileKey })
const appPassword = 'abcd-efgh-ijkl-mnop'
const connection: Connection = await client.profiles.connectBluesky({ handle: 'john.bsky.social', appPassword, profileKey })

const { posts, usage } = await client.posts.create({
  profileKey,
  content: 'Hello from postcore!',
  platforms: ['linkedin', 'bluesky'],
  scheduledFor: new Date(Date.now() + 3_600_000)
})
const all: Post[] = await client.posts.list()
const post: Post = await client.posts.retrieve(posts[0].postId)
// biome-ignore lint/suspicious/noConfusingVoidType: deletions are typed Promise<void>, as documented
const cancelled: void = await client.posts.delete(posts[1].postId)
const done: Post = await client.posts.wait(posts[0].postId, { timeout: 600_000, interval: 10_000, signal })
const scheduled: ScheduledPosts = await client.posts.create({ profileKey, content: 'x', platforms: ['bluesky'], scheduledFor: '2030-01-01T00:00:00Z' })

const pending: APIPromise<Profile[]> = client.profiles.list()
const { data, response } = await pending.withResponse()
const meta: APIResponse = response
const status: number = response.status
const headers: Record<string, string> = response.headers
const rateLimit: RateLimit | null = response.rateLimit
const reset: Date | null = response.rateLimit?.reset ?? null
const attempts: number = response.attempts

try {
  await client.posts.create({ profileKey, content: 'x', platforms: ['linkedin'], scheduledFor: new Date() })
} catch (error) {
  if (error instanceof PlatformsNotConnectedError) {
    const missing: string[] = error.missingPlatforms
    console.log(missing)
  } else if (error instanceof RateLimitError) {
    const wait: number | null = error.retryAfter
    const next: string | null = error.nextAvailable
    const platform: string | null = error.platform
    console.log(wait, next, platform)
  } else if (error instanceof PostcoreError) {
    const s: number | null = error.status
    const code: string | null = error.code
    const h: Record<string, string> | null = error.headers
    const text: string | null = error.bodyText
    const limit: RateLimit | null = error.rateLimit
    const maybe: boolean = error.mayHaveBeenProcessed
    console.log(s, code, h, text, limit, maybe, error.attempts, error.message, error.body)
  }
}

// Waiting for many posts.
try {
  const many: Post[] = await client.posts.waitMany([posts[0].postId, post.postId], { timeout: 600_000, interval: 1_000, signal })
  console.log(many.map((p) => `${p.postId} ${p.status} ${p.platformUrl}`))
} catch (error) {
  if (error instanceof WaitTimeoutError) console.log(error.posts.map((p) => p.status), error.post?.postId)
}
const manyWithResponse = await client.posts.waitMany([post.postId]).withResponse()
console.log(manyWithResponse.data[0]?.status, manyWithResponse.response.attempts)

// Events.
const eventsOptions: EventsOptions = { consumer: 'notifier', interval: 200, signal: controller.signal }
const events: Events = client.events(eventsOptions)
const seen: EventType[] = []
for await (const event of events) {
  switch (event.type) {
    case 'post.published':
    case 'post.failed':
      console.log(event.type, event.data.postId, event.data.platformUrl)
      break
    case 'connection.needs_reconnect':
      console.log('ask', event.data.profileKey, 'to connect', event.data.platform, 'again')
      break
    default:
      console.log(event.type, event.data.profileKey, event.createdAt)
  }
  seen.push(event.type)
  if (event.type === 'profile.deleted') break
}
const next: IteratorResult<Event, undefined> = await client.events().next()
if (next.done !== true) console.log(next.value.id)

// Verifying webhooks.
function receive (body: Buffer, signature: string | undefined): number {
  try {
    const event: Event = verifyWebhook(body, signature, 'whsec_example', { tolerance: 300_000 })
    console.log(event.type, event.id, event.data.profileKey)
    return 204
  } catch (error) {
    if (!(error instanceof WebhookSignatureError)) throw error
    return 400
  }
}
const hookBody = Buffer.from('{}')
console.log(receive(hookBody, signWebhook(hookBody, 'whsec_example', Date.now() - 3_600_000)), SIGNATURE_HEADER)

console.log(key, name, url, connection, usage, all, post, cancelled, done, scheduled, data, meta, status,
  headers, rateLimit, reset, attempts, profiles, patient, client.baseUrl, client.timeout, client.maxRetries,
  client.maxConnections)

// Wrong uses do not compile.
// @ts-expect-error profileName must be a string
await client.createProfile({ profileName: 123 })
// @ts-expect-error timeout is a number of milliseconds
new Postcore({ timeout: '30s' })
// @ts-expect-error platforms are 'linkedin' | 'bluesky'
await client.posts.create({ profileKey, content: 'x', platforms: ['myspace'], scheduledFor: new Date() })
// @ts-expect-error scheduledFor is a Date or a string
await client.posts.create({ profileKey, content: 'x', platforms: ['linkedin'], scheduledFor: 1700000000 })
// @ts-expect-error content is required
await client.posts.create({ profileKey, platforms: ['linkedin'], scheduledFor: new Date() })
// @ts-expect-error linkedInConnectUrl returns a string, not a promise
await client.profiles.linkedInConnectUrl({ returnUrl: 'https://x.example' }).then(() => {})
// @ts-expect-error appPassword is required
await client.profiles.connectBluesky({ handle: 'john.bsky.social' })
// @ts-expect-error withOptions cannot change the key
client.withOptions({ apiKey: 'other' })
// @ts-expect-error headers are strings
await client.profiles.list({ headers: { 'x-n': 1 } })
// @ts-expect-error postIds is an array
await client.posts.waitMany(posts[0].postId)
// @ts-expect-error interval is a number of milliseconds
client.events({ interval: '30s' })
// @ts-expect-error a parsed body cannot be verified
verifyWebhook({ id: 'evt_1' }, undefined, 'whsec_example')
// @ts-expect-error tolerance is a number of milliseconds
verifyWebhook('{}', undefined, 'whsec_example', { tolerance: '5m' })
