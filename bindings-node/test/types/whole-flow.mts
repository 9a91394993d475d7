// The whole flow in TypeScript (examples/node/whole_flow.mjs, typed), checked with
// `tsc --strict`: every result has the type the README promises.
import { Postcore, WaitTimeoutError } from 'postcore'
import type {
  CreatedProfile, Profile, ConnectedPlatform, Connection, Post, ScheduledPost, ScheduledPosts, Usage, Platform, PostStatus
} from 'postcore'

const client = new Postcore()

const profile: CreatedProfile = await client.profiles.create({ profileName: 'User: john@example.com' })
const { profileKey } = profile
const createdAt: string | undefined = profile.createdAt // not in the create call's answer

const url: string = client.profiles.linkedInConnectUrl({ returnUrl: 'https://app.example.com/connected', profileKey })
const connection: Connection = await client.profiles.connectBluesky({
  handle: 'john.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop', profileKey
})
const username: string = connection.username

const me: Profile | undefined = (await client.profiles.list()).find((p) => p.profileKey === profileKey)
const connected: ConnectedPlatform[] = me?.connectedPlatforms ?? []
const platforms: Platform[] = connected.map((c) => c.platform)
const expiresIn: number | null = connected[0]?.daysUntilExpiry ?? null
const needsReconnect: boolean = connected[0]?.needsReconnect ?? false

const scheduled: ScheduledPosts = await client.posts.create({
  profileKey, content: 'Hello from postcore!', platforms, scheduledFor: new Date(Date.now() + 3_000)
})
const usage: Usage = scheduled.usage
for (const post of scheduled.posts) {
  try {
    const done: Post = await client.posts.wait(post.postId, { timeout: 120_000, interval: 1_000 })
    const status: PostStatus = done.status
    const link: string | null = done.platformUrl
    console.log(status, link)
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error
    const last: Post | null = error.post
    console.log(last?.status)
  }
}

const later: ScheduledPost | undefined = (await client.posts.create({
  profileKey, content: 'See you tomorrow', platforms: ['bluesky'], scheduledFor: new Date(Date.now() + 86_400_000).toISOString()
})).posts[0]
const { data: posts, response } = await client.posts.list().withResponse()
const remaining: number | null = response.rateLimit?.remaining ?? null
if (later !== undefined) await client.posts.delete(later.postId)

console.log(createdAt, url, username, expiresIn, needsReconnect, usage.remaining, posts.length, remaining)
