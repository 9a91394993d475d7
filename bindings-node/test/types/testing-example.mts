// The testing kit's types (`postcore/testing`), type-checked with `tsc --strict` (ESM). Never
// run: it only has to compile, and the wrong uses marked @ts-expect-error must not.
import { startMockServer, MockServer, DEFAULT_API_KEY } from 'postcore/testing'
import type { MockServerOptions, FailNextOptions, RecordedRequest, StoredPost, Seeded, FaultAction } from 'postcore/testing'
import type { Postcore, Profile } from 'postcore'

const options: MockServerOptions = { apiKey: DEFAULT_API_KEY, port: 0, rateLimit: 5, rateWindow: 30_000, postsPerMonth: 100 }
const server: MockServer = await startMockServer(options)
await startMockServer()
const url: string = server.baseUrl
const key: string = server.apiKey
const dashboard: string = server.dashboardUrl
const client: Postcore = server.client({ maxRetries: 0, timeout: 5_000 })
const { profileKey } = await client.profiles.create({ profileName: 'User: a@example.com' })

const action: FaultAction = 'drop'
const fault: FailNextOptions = { status: 503, body: { error: 'X', message: 'y' }, headers: { 'retry-after': '1' }, delay: 100, action: 'respond', times: 2, process: true }
server.failNext(fault)
server.failNext({ action })
server.failNext()
// @ts-expect-error: the action is one of four names
server.failNext({ action: 'explode' })
// @ts-expect-error: delay is a number of milliseconds
server.failNext({ delay: '1s' })

const requests: RecordedRequest[] = server.requests
const first: RecordedRequest | undefined = requests[0]
const status: number | null = first?.status ?? null
const body: unknown = first?.body
const profiles: Profile[] = server.profiles
const posts: StoredPost[] = server.posts
const reason: string | undefined = posts[0]?.failureReason
const now: Date = server.advance({ seconds: 120 })
const seeded: Seeded = server.seed({ profiles: [{ profileKey: 'prof_a', connect: ['linkedin', 'bluesky'] }] })
server.reset()
const env: { POSTCORE_API_KEY: string, POSTCORE_BASE_URL: string } = server.env
const done: Promise<void> = server.close()
await done
// @ts-expect-error: made by startMockServer(), not by hand
new MockServer()
// @ts-expect-error: the client's URL and key are the server's
server.client({ baseUrl: 'https://api.postcore.dev' })

export { url, key, dashboard, profileKey, status, body, profiles, reason, now, seeded, env }
