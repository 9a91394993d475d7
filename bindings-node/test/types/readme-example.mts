// The README / design.md Node example, type-checked with `tsc --strict` (ESM).
import { Postcore, createProfile, RateLimitError, PostcoreError } from 'postcore'
import type { Profile, ClientOptions, RequestOptions } from 'postcore'

const apiKey = process.env.POSTCORE_API_KEY
const baseUrl = process.env.POSTCORE_BASE_URL

const options: ClientOptions = { apiKey, baseUrl, timeout: 30_000 /* ms */, maxRetries: 2 }
const client = new Postcore(options)
const { profileKey, profileName } = await client.createProfile({ profileName: 'User: john@example.com' })
const key: string = profileKey
const name: string | null = profileName

await createProfile({ profileName: 'User: john@example.com' }) // client from env

const controller = new AbortController()
const perCall: RequestOptions = { signal: controller.signal, timeout: 5_000, maxRetries: 0 }
const profile: Profile = await client.createProfile({ profileName: 'User: john@example.com' }, perCall)

try {
  await client.createProfile({})
} catch (error) {
  if (error instanceof RateLimitError) {
    const wait: number | null = error.retryAfter
    console.log(wait)
  } else if (error instanceof PostcoreError) {
    const status: number | null = error.status
    const code: string | null = error.code
    const headers: Record<string, string> | null = error.headers
    console.log(status, code, headers, error.message, error.body)
  }
}

console.log(key, name, profile.profileKey, client.baseUrl, client.timeout, client.maxRetries)

// Wrong argument types do not compile.
// @ts-expect-error profileName must be a string
await client.createProfile({ profileName: 123 })
// @ts-expect-error timeout is a number of milliseconds
new Postcore({ timeout: '30s' })
