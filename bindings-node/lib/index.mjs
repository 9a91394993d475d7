// ESM entry point of postcore. It re-exports the CommonJS module, so `import` and `require`
// share one set of classes (`instanceof` works across both) and one default client.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const postcore = require('./index.js')

/** A postcore API client; see `lib/index.d.ts`. */
export const Postcore = postcore.Postcore
/** Creates a profile with a client configured from the environment. */
export const createProfile = postcore.createProfile
/** The package version. */
export const VERSION = postcore.VERSION
/** Base class of every postcore error. */
export const PostcoreError = postcore.PostcoreError
/** The server answered with a non-success status. */
export const APIError = postcore.APIError
/** HTTP 400. */
export const BadRequestError = postcore.BadRequestError
/** HTTP 401. */
export const AuthenticationError = postcore.AuthenticationError
/** HTTP 403. */
export const PermissionDeniedError = postcore.PermissionDeniedError
/** HTTP 404. */
export const NotFoundError = postcore.NotFoundError
/** HTTP 409. */
export const ConflictError = postcore.ConflictError
/** HTTP 422. */
export const UnprocessableEntityError = postcore.UnprocessableEntityError
/** HTTP 429. */
export const RateLimitError = postcore.RateLimitError
/** HTTP 500 and above. */
export const InternalServerError = postcore.InternalServerError
/** A success status with an unusable body. */
export const APIResponseValidationError = postcore.APIResponseValidationError
/** No usable answer came back. */
export const APIConnectionError = postcore.APIConnectionError
/** An attempt took longer than the timeout. */
export const APITimeoutError = postcore.APITimeoutError
/** The client could not be built. */
export const ConfigurationError = postcore.ConfigurationError

export default postcore
