// A webhook receiver for `postcore listen --forward-to`, in Node: every delivery is checked
// with the package's verifyWebhook, and chosen attempts fail on purpose.
//
//   node receiver.mjs LOG
//
// Reads the secret from POSTCORE_WEBHOOK_SECRET and the failures from RECEIVER_FAILURES
// (`2:500,3:500,5:close`). Prints its URL on the first line of stdout, then appends one JSON
// line per attempt to LOG: {attempt, id, type, verified, error, answer, body}. A delivery that
// does not verify is answered 400 (and logged as such).

import { appendFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const { verifyWebhook } = require(path.join(root, 'bindings-node'))

const secret = process.env.POSTCORE_WEBHOOK_SECRET
const failures = new Map((process.env.RECEIVER_FAILURES || '').split(',').filter(Boolean)
  .map((item) => { const [n, answer] = item.split(':'); return [Number(n), answer] }))
const log = process.argv[2]
let attempts = 0

const server = createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    const body = Buffer.concat(chunks)
    const entry = { body: body.toString('utf8') }
    try {
      const event = verifyWebhook(body, request.headers['postcore-signature'] || '', secret)
      Object.assign(entry, { id: event.id, type: event.type, verified: true, error: null })
    } catch (error) {
      Object.assign(entry, { id: null, type: null, verified: false, error: `${error.name}: ${error.message}` })
    }
    attempts += 1
    entry.attempt = attempts
    const answer = entry.verified ? (failures.get(attempts) || '200') : '400'
    entry.answer = answer
    appendFileSync(log, `${JSON.stringify(entry)}\n`)
    if (answer === 'close') {
      request.socket.destroy()
      return
    }
    const text = answer === '200' ? 'ok' : 'not now'
    response.writeHead(Number(answer), { 'content-type': 'text/plain', connection: 'close' })
    response.end(text)
  })
})

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/webhooks/postcore\n`)
})
