// A user's app, type-checked as a user would check it (`tsc --strict`, in bindings-node/test.sh):
// the package's types must let ordinary code through without casts, `!` or optional chains on
// fields the documented answers always have. Compiled, not run (it would need a server).
import {
  APIError, NotFoundError, Postcore, WaitTimeoutError, verifyWebhook, type CreatedProfile, type Event, type Post,
  type Profile, type ScheduledPosts
} from 'postcore'
import { SIGNATURE_HEADER, WebhookSignatureError, signWebhook } from 'postcore/webhooks'

export async function remainingPosts (client: Postcore, profileKey: string): Promise<number> {
  const scheduled: ScheduledPosts = await client.posts.create({
    profileKey, content: 'Hello!', platforms: ['bluesky'], scheduledFor: new Date(Date.now() + 3_600_000)
  })
  const first = scheduled.posts[0]
  if (first !== undefined) console.log(first.postId, first.platform, first.scheduledFor, first.status)
  // The documented answer always has the quota: no null check needed.
  return scheduled.usage.remaining
}

export async function statusOfAMissingPost (client: Postcore, postId: string): Promise<number> {
  try {
    await client.posts.retrieve(postId)
    return 200
  } catch (error) {
    if (error instanceof NotFoundError) {
      const status: number = error.status // an API error always has a status
      return status
    }
    if (error instanceof APIError) return error.status + 0
    throw error
  }
}

export function describe (profile: Profile): string {
  const accounts = profile.connectedPlatforms.map((a) => `${a.platform}:${a.needsReconnect}`).join(', ')
  return `${profile.profileKey} ${profile.profileName ?? ''} ${profile.createdAt.slice(0, 10)} [${accounts}]`
}

export async function waitForAll (client: Postcore, ids: string[]): Promise<string[]> {
  try {
    const posts: Post[] = await client.posts.waitMany(ids, { timeout: 3_600_000, interval: 30_000 })
    return posts.map((p) => p.platformUrl ?? p.status)
  } catch (error) {
    if (error instanceof WaitTimeoutError) return error.posts.map((p) => p.status)
    throw error
  }
}

/** Narrowed by `type`: each kind of event has its own `data`. */
export function onEvent (event: Event): string {
  switch (event.type) {
    case 'post.published':
    case 'post.failed':
      return `${event.type} ${event.data.postId} ${event.data.content.length} ${event.createdAt}`
    case 'post.deleted':
      return `${event.data.postId} was ${event.data.status}`
    case 'profile.created':
      return `${event.data.profileKey} with ${event.data.connectedPlatforms.length} accounts`
    case 'profile.deleted':
      return `${event.data.profileKey} ${event.data.profileName ?? ''}`
    case 'connection.disconnected':
      return `${event.data.profileKey} lost ${event.data.platform} ${event.data.username ?? ''}`
    default:
      return `${event.type} ${event.data.profileKey} ${event.data.platform} ${event.data.daysUntilExpiry ?? '-'}`
  }
}

export async function watch (client: Postcore, signal: AbortSignal): Promise<void> {
  for await (const event of client.events({ consumer: 'notifier', interval: 60_000, signal })) {
    console.log(onEvent(event))
    if (event.type === 'profile.deleted') break
  }
}

export function receive (body: Buffer, headers: Record<string, string | undefined>, secret: string): number {
  try {
    const event: Event = verifyWebhook(body, headers[SIGNATURE_HEADER.toLowerCase()], secret, { tolerance: 60_000 })
    console.log(onEvent(event), signWebhook(body, secret, new Date()))
    return 204
  } catch (error) {
    if (error instanceof WebhookSignatureError) return 400
    throw error
  }
}

export async function main (): Promise<void> {
  const client = new Postcore({ maxRetries: 1, timeout: 30_000 })
  const created: CreatedProfile = await client.profiles.create({ profileName: 'x' })
  const key: string = created.profileKey
  console.log(await remainingPosts(client, key), await statusOfAMissingPost(client, 'post_nope'))
  const { data, response } = await client.profiles.list({ timeout: 5_000 }).withResponse()
  console.log(data.map(describe), response.rateLimit?.remaining)
  const done = await client.withOptions({ maxRetries: 0 }).posts.wait('post_1', { timeout: 60_000, interval: 1_000 })
  console.log(done.status, done.platformUrl)
  const connection = await client.profiles.connectBluesky({ handle: 'a.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' })
  console.log(connection.username.toUpperCase())
  client.close()
  console.log(client.closed)
}
