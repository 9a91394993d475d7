// Create a profile for one of your app's users: the docs' `fetch` example, with the SDK.
//
// The docs:
//   const response = await fetch('https://api.postcore.dev/profiles/create', {
//     method: 'POST',
//     headers: { 'x-api-key': process.env.POSTCORE_API_KEY, 'Content-Type': 'application/json' },
//     body: JSON.stringify({ profileName: 'User: john@example.com' })
//   })
//   const { profileKey } = await response.json()
//
// With the SDK (retries, timeouts and typed errors included; POSTCORE_BASE_URL, when set,
// points it at another server such as a local postcore-mock):
import { Postcore } from 'postcore'

const client = new Postcore({ apiKey: process.env.POSTCORE_API_KEY })
const { profileKey } = await client.createProfile({ profileName: 'User: john@example.com' })
console.log(profileKey) // store it with the user, e.g. prof_abc123def456
