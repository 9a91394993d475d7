// CommonJS usage, type-checked with `tsc --strict`.
import postcore = require('postcore')

async function main (): Promise<string> {
  const client = new postcore.Postcore({ apiKey: 'pc_key' })
  try {
    const { profileKey } = await client.createProfile({ profileName: 'User: john@example.com' })
    return profileKey
  } catch (error) {
    if (error instanceof postcore.AuthenticationError) return `bad key: ${error.code ?? ''}`
    if (error instanceof postcore.APITimeoutError) return 'timed out'
    throw error
  }
}

void main()
