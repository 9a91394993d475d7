// CommonJS usage, type-checked with `tsc --strict`.
import postcore = require('postcore')

async function main (): Promise<string> {
  const client = new postcore.Postcore({ apiKey: 'pc_key' })
  try {
    const { profileKey } = await client.createProfile({ profileName: 'User: john@example.com' })
    const { data } = await client.posts.list().withResponse()
    return `${profileKey} ${data.length}`
  } catch (error) {
    if (error instanceof postcore.AuthenticationError) return `bad key: ${error.code ?? ''}`
    if (error instanceof postcore.APITimeoutError) return `timed out after ${error.attempts} attempts`
    if (error instanceof postcore.InvalidCredentialsError) return 'bad Bluesky password'
    if (error instanceof postcore.WaitTimeoutError) return `still ${error.post?.status ?? 'unknown'}`
    throw error
  }
}

void main()
