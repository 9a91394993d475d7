// The ESM entries' types (lib/index.d.mts, lib/testing.d.mts): named imports of values and
// types, and the default import (the CommonJS module), type-checked with `tsc --strict`.
import postcore, { Postcore, NotFoundError, type Profile } from 'postcore'
import testing, { startMockServer, type MockServer } from 'postcore/testing'

export async function run (): Promise<string> {
  const server: MockServer = await startMockServer()
  const client: Postcore = new Postcore({ apiKey: testing.DEFAULT_API_KEY, baseUrl: server.baseUrl })
  const same: typeof Postcore = postcore.Postcore
  const profile: Profile = await client.profiles.create({ profileName: 'esm' })
  try {
    await client.posts.retrieve('post_missing')
  } catch (error) {
    if (error instanceof NotFoundError && error instanceof postcore.APIError) return `${error.status}`
  }
  // @ts-expect-error: the default export is the module, not the client class
  const wrong = new postcore({ apiKey: 'k' })
  await server.close()
  return `${profile.profileKey} ${String(wrong)} ${same.name}`
}
