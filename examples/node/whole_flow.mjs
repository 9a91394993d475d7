// The whole postcore flow with the Node SDK: a profile for one of your users, their LinkedIn
// and Bluesky accounts, a post scheduled on both, waiting until it is published, listing, and
// cancelling another post.
//
// Reads POSTCORE_API_KEY and POSTCORE_BASE_URL (default: the real API), and the Bluesky account
// to connect from BLUESKY_HANDLE / BLUESKY_APP_PASSWORD (defaults suit the local mock):
//
//   scripts/with-mock.sh -- node examples/node/whole_flow.mjs      # against a local postcore-mock
//   POSTCORE_API_KEY=... node examples/node/whole_flow.mjs          # against the real API
//
// Against a local postcore-mock (`make test` runs it so) this script also plays the end-user's
// browser for the LinkedIn step, and the mock publishes due posts at once. Against the real
// API it prints the LinkedIn URL for a person to open instead, posts only to the platforms that
// are connected, and the post really appears on them a few seconds later.
import { Postcore, WaitTimeoutError } from 'postcore'

// Close enough to watch it publish; far enough that it is still in the future when it reaches
// the server. In an app you would schedule hours ahead and check on the post later.
const SCHEDULE_IN_MS = 3_000

const client = new Postcore() // POSTCORE_API_KEY, POSTCORE_BASE_URL

// 1. One profile per end-user of your app: store its key with the user.
const profile = await client.profiles.create({ profileName: 'User: john@example.com' })
const { profileKey } = profile
console.log(`profile       ${profileKey}`)

// 2. LinkedIn: redirect the user's browser to this URL; postcore sends it back to your return
//    URL with the profileKey. It contains your API key: build it server-side only, never log it.
const url = client.profiles.linkedInConnectUrl({ returnUrl: 'https://app.example.com/connected', profileKey })
console.log(`linkedin url  ${url.split('?')[0]}?apiKey=…`)
if (isLocal(client.baseUrl)) {
  // The mock connects a fake LinkedIn account at once and redirects, as postcore would after
  // the user signed in to LinkedIn.
  const browser = await fetch(url, { redirect: 'manual' })
  console.log(`              (browser back at ${browser.headers.get('location')})`)
}

// 3. Bluesky: with an app password the user created in Bluesky's settings (not their account
//    password). The SDK never shows it in an error or a log line.
const connection = await client.profiles.connectBluesky({
  handle: process.env.BLUESKY_HANDLE ?? 'john.bsky.social',
  appPassword: process.env.BLUESKY_APP_PASSWORD ?? 'abcd-efgh-ijkl-mnop',
  profileKey
})
console.log(`bluesky       ${connection.username}`)

// 4. Schedule one post on every connected platform: one post per platform.
const me = (await client.profiles.list()).find((p) => p.profileKey === profileKey)
const platforms = me.connectedPlatforms.map((c) => c.platform)
const scheduled = await client.posts.create({
  profileKey,
  content: 'Hello from postcore!',
  platforms,
  scheduledFor: new Date(Date.now() + SCHEDULE_IN_MS) // a Date or an ISO 8601 string
})
for (const post of scheduled.posts) {
  console.log(`scheduled     ${post.postId} on ${post.platform} for ${post.scheduledFor}`)
}
const { used, limit, month } = scheduled.usage
console.log(`usage         ${used}/${limit} posts in ${month}`)

// 5. Wait until each is published (or failed: resolved, not thrown). `wait` sleeps until the
//    post is due, then polls every `interval` ms, slower if the rate limit (100 requests per
//    15 min) requires; past `timeout` ms it rejects with WaitTimeoutError.
for (const post of scheduled.posts) {
  try {
    const done = await client.posts.wait(post.postId, { timeout: 120_000, interval: 1_000 })
    console.log(`${done.status.padEnd(13)} ${done.platform}: ${done.platformUrl ?? ''}`)
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error
    console.log(`still waiting ${post.postId}: ${error.post?.status ?? 'unknown'}`)
  }
}

// 6. List the posts, then cancel one that is still pending.
const { posts: [later] } = await client.posts.create({
  profileKey,
  content: 'See you tomorrow',
  platforms: ['bluesky'],
  scheduledFor: new Date(Date.now() + 24 * 3600_000)
})
const { data: posts, response } = await client.posts.list().withResponse()
for (const post of posts.filter((p) => p.profileKey === profileKey)) {
  console.log(`listed        ${post.postId} ${post.platform} ${post.status}`)
}
console.log(`rate limit    ${response.rateLimit?.remaining ?? '?'} requests left until ${response.rateLimit?.reset?.toISOString() ?? '?'}`)
await client.posts.delete(later.postId)
console.log(`cancelled     ${later.postId}`)

/** Whether the client talks to a server on this machine (a local postcore-mock). */
function isLocal (baseUrl) {
  const host = new URL(baseUrl).hostname
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.')
}
