// The ESM entries' types (lib/index.d.mts, lib/testing.d.mts, lib/webhooks.d.mts): named imports
// of values and types, and the default import (the CommonJS module), type-checked with
// `tsc --strict`.
import postcore, { Postcore, NotFoundError, type CreatedProfile } from 'postcore'
import testing, { startMockServer, type MockServer } from 'postcore/testing'
import webhooks, { verifyWebhook, type Event } from 'postcore/webhooks'

export async function run (): Promise<string> {
  const server: MockServer = await startMockServer()
  const client: Postcore = new Postcore({ apiKey: testing.DEFAULT_API_KEY, baseUrl: server.baseUrl })
  const same: typeof Postcore = postcore.Postcore
  const verify = verifyWebhook === webhooks.verifyWebhook ? verifyWebhook : webhooks.verifyWebhook
  const signed = webhooks.signWebhook('{}', 'whsec')
  const event: Event | null = signed === '' ? verify('{}', signed, 'whsec') : null
  const profile: CreatedProfile = await client.profiles.create({ profileName: 'esm' })
  try {
    await client.posts.retrieve('post_missing')
  } catch (error) {
    if (error instanceof NotFoundError && error instanceof postcore.APIError) return `${error.status}`
  }
  // @ts-expect-error: the default export is the module, not the client class
  const wrong = new postcore({ apiKey: 'k' })
  await server.close()
  return `${profile.profileKey} ${String(wrong)} ${same.name} ${event?.id}`
}
