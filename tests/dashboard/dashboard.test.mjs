// The local server's dashboard in a real browser (Debian's headless Chromium, driven by
// playwright-core). The app side goes through the postcore Node SDK, as a developer's app would;
// the page must show what it did, and the page's controls must reach the SDK's next calls.
//
// Run by tests/dashboard/run.sh, under scripts/with-mock.sh, which sets POSTCORE_BASE_URL and
// POSTCORE_API_KEY. Writes target/dashboard.png (and, with DASHBOARD_SCREENSHOT_DOCS=1, its
// palette-PNG copy docs/dashboard.png for the README).

import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'

import { toPalettePng } from './palette-png.mjs'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const postcore = require(path.join(root, 'bindings-node'))

const baseUrl = process.env.POSTCORE_BASE_URL
const apiKey = process.env.POSTCORE_API_KEY
const appPassword = 'abcd-efgh-ijkl-mnop'
const WAIT = { timeout: 10_000 }

// Flags for a closed network: no background requests, no first-run UI, no GPU.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]

describe('the dashboard', () => {
  let browser, page, client
  const problems = [] // console errors and uncaught page errors (CSP violations among them)
  const app = {} // what the SDK created

  const control = async (method, route, body) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined
    })
    assert.ok(response.ok, `${method} ${route}: ${response.status}`)
    return response.status === 204 ? null : response.json()
  }
  const post = (id) => page.locator(`li[data-post-id="${id}"]`)
  const statusOf = (id) => post(id).locator('[data-role="status"]')
  const profileCard = (key) => page.locator(`article[data-profile-key="${key}"]`)
  const logRow = (text) => page.locator('#requests tr', { hasText: text })
  /** Log rows of exactly this method and path (hasText alone is a case-insensitive substring). */
  const logRows = (method, route) => page.locator('#requests tr')
    .filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${method}$`) }) })
    .filter({ has: page.locator('td.path', { hasText: new RegExp(`^${route.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}$`) }) })

  before(async () => {
    assert.ok(baseUrl && apiKey, 'run under scripts/with-mock.sh (POSTCORE_BASE_URL, POSTCORE_API_KEY)')
    assert.ok(apiKey.length >= 16, 'a long key, so that its masked form keeps a prefix')
    await control('POST', '/__mock/reset')
    client = new postcore.Postcore({ apiKey, baseUrl })
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS
    })
    page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      locale: 'en-US',
      timezoneId: 'UTC'
    })
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
    page.on('pageerror', (error) => problems.push(String(error)))
  })

  after(async () => {
    if (browser) await browser.close()
  })

  test('shows the profiles and posts the SDK created', async () => {
    const ann = await client.profiles.create({ profileName: 'User: ann@example.com' })
    await client.profiles.connectBluesky({ profileKey: ann.profileKey, handle: 'ann.bsky.social', appPassword })
    // LinkedIn is OAuth: the browser of the end-user follows this URL; the mock connects at once.
    const connectUrl = client.profiles.linkedInConnectUrl({
      returnUrl: 'http://127.0.0.1:9/connected',
      profileKey: ann.profileKey
    })
    assert.equal((await fetch(connectUrl, { redirect: 'manual' })).status, 302)
    const bo = await client.profiles.create({ profileName: 'User: bo@example.com' })
    await client.profiles.connectBluesky({ profileKey: bo.profileKey, handle: 'bo.example.com', appPassword })

    const now = Date.parse((await control('GET', '/__mock/clock')).now)
    const launch = await client.posts.create({
      profileKey: ann.profileKey,
      content: 'We just shipped scheduled posts for #rust apps 🚀 Details: https://example.com/blog/scheduling',
      platforms: ['linkedin', 'bluesky'],
      scheduledFor: new Date(now + 2 * 60_000)
    })
    const followUp = await client.posts.create({
      profileKey: ann.profileKey,
      content: 'A day later: what we learned shipping it. '.repeat(14).trim(),
      platforms: ['linkedin'],
      scheduledFor: new Date(now + 26 * 3600_000)
    })
    const boPost = await client.posts.create({
      profileKey: bo.profileKey,
      content: 'Hello Bluesky 👋 first post from @bo.example.com',
      platforms: ['bluesky'],
      scheduledFor: new Date(now + 50 * 60_000)
    })
    // The SDK refuses Bluesky content over 300 graphemes before sending it, so the one that
    // will fail at publish time comes from a seed (as an app without that check would send it).
    const thread = `Thread 🧵 ${'👩‍💻 notes on scheduling '.repeat(14)}`
    const seeded = await control('POST', '/__mock/seed', {
      posts: [{ profileKey: bo.profileKey, platform: 'bluesky', content: thread, scheduledFor: '$NOW+180' }]
    })
    Object.assign(app, {
      ann: ann.profileKey,
      bo: bo.profileKey,
      launchLinkedIn: launch.posts.find((p) => p.platform === 'linkedin').postId,
      launchBluesky: launch.posts.find((p) => p.platform === 'bluesky').postId,
      followUp: followUp.posts[0].postId,
      boPost: boPost.posts[0].postId,
      thread: seeded.posts[0]
    })

    await page.goto(`${baseUrl}/`)
    assert.equal(await page.title(), 'postcore local server')

    const annCard = profileCard(app.ann)
    await annCard.waitFor(WAIT)
    const annText = await annCard.innerText()
    for (const shown of ['User: ann@example.com', app.ann, '@ann.bsky.social', 'Mock LinkedIn User',
      '60 days left', 'daysUntilExpiry 60', 'needsReconnect false', '3 pending']) {
      assert.ok(annText.includes(shown), `Ann's card shows ${shown}: ${annText}`)
    }
    assert.match(await profileCard(app.bo).innerText(), /@bo\.example\.com/)

    for (const id of [app.launchLinkedIn, app.launchBluesky, app.followUp, app.boPost, app.thread]) {
      assert.equal(await statusOf(id).innerText(), 'pending', id)
    }
    assert.match(await post(app.launchLinkedIn).locator('[data-role="limit"]').innerText(), /^\d+ \/ 3,000 characters$/)
    assert.match(await post(app.launchBluesky).locator('[data-role="limit"]').innerText(), /^\d+ \/ 300 graphemes$/)
    assert.match(await post(app.followUp).innerText(), /see more/, 'LinkedIn folds a long post')
    // Over Bluesky's limit: marked as a post that will fail, with its grapheme count.
    const threadItem = post(app.thread)
    assert.equal(await threadItem.locator('[data-role="will-fail"]').innerText(), 'will fail')
    assert.match(await threadItem.locator('[data-role="limit"]').innerText(), /^3\d\d \/ 300 graphemes$/)
    assert.equal(await post(app.launchBluesky).locator('[data-role="will-fail"]').count(), 0)
    // The timeline has one lane per profile and platform.
    assert.equal(await page.locator('#lanes .lane').count(), 3)
  })

  test('advancing the clock from the page publishes the due posts', async () => {
    await page.getByLabel('By', { exact: true }).fill('5')
    await page.getByLabel('Unit', { exact: true }).selectOption({ label: 'minutes' })
    await page.getByRole('button', { name: 'Advance', exact: true }).click()
    await statusOf(app.launchLinkedIn).filter({ hasText: 'published' }).waitFor(WAIT)
    await statusOf(app.launchBluesky).filter({ hasText: 'published' }).waitFor(WAIT)
    await statusOf(app.thread).filter({ hasText: 'failed' }).waitFor(WAIT)
    assert.equal(await statusOf(app.followUp).innerText(), 'pending')
    assert.match(await page.locator('#clock-offset').innerText(), /\+5 minutes/)

    const published = await client.posts.retrieve(app.launchLinkedIn)
    assert.equal(published.status, 'published')
    assert.ok(published.publishedAt && published.platformUrl, JSON.stringify(published))
    assert.equal((await client.posts.retrieve(app.thread)).status, 'failed')
  })

  test('the events panel shows what a listener would get, newest first, live', async () => {
    const shown = page.locator('#events li.event')
    await page.locator('#events li[data-type="post.failed"]').waitFor(WAIT)
    // The mock's own list (the SDK's ids and data), newest first.
    const recorded = (await control('GET', '/__mock/events')).events
    const ids = await shown.evaluateAll((nodes) => nodes.map((n) => n.dataset.eventId))
    assert.deepEqual(ids, recorded.map((e) => e.id).reverse())
    const count = (type) => recorded.filter((e) => e.type === type).length
    assert.deepEqual(
      ['profile.created', 'connection.connected', 'post.published', 'post.failed'].map(count),
      [2, 3, 2, 1], JSON.stringify(recorded.map((e) => e.type)))
    for (const event of recorded) assert.match(event.id, /^evt_[0-9a-f]{24}$/)
    const published = recorded.find((e) => e.type === 'post.published' && e.data.postId === app.launchLinkedIn)
    assert.equal(published.data.status, 'published')
    assert.ok(published.data.platformUrl, JSON.stringify(published))
    const failed = page.locator('#events li[data-type="post.failed"]')
    assert.match(await failed.innerText(), new RegExp(app.thread))
    assert.match(await failed.innerText(), /Bluesky posts are limited to 300 characters/)
    assert.match(await page.locator('#events li[data-type="connection.connected"]').first().innerText(), /@bo\.example\.com/)

    // Cancelling a post through the SDK puts post.deleted on top, without a reload.
    await client.posts.delete(app.boPost)
    const top = shown.first()
    await top.and(page.locator('[data-type="post.deleted"]')).waitFor(WAIT)
    assert.match(await top.innerText(), new RegExp(`${app.boPost}.*was pending`, 's'))
    assert.equal(await page.locator('#events-count').innerText(), String(recorded.length + 1))
  })

  test('the request log masks the API key and app passwords', async () => {
    const masked = `${apiKey.slice(0, 4)}••••••••`
    const oauth = logRow('/profiles/connect?apiKey=')
    await oauth.first().waitFor(WAIT)
    assert.match(await oauth.first().innerText(), new RegExp(`apiKey=${masked}&platform=linkedin`))

    // Click a row to see its headers and body.
    await logRows('POST', '/posts').first().click()
    const detail = page.locator('#request-detail')
    await detail.locator('h3', { hasText: 'POST /posts → 201' }).waitFor(WAIT)
    const detailText = await detail.innerText()
    assert.ok(detailText.includes(masked), detailText)
    assert.match(detailText, /"platforms"/)

    await logRows('POST', '/profiles/connect').first().click()
    await detail.locator('h3', { hasText: 'POST /profiles/connect' }).waitFor(WAIT)
    assert.match(await detail.innerText(), /"appPassword": "••••••••"/)

    const html = await page.content()
    const state = await (await fetch(`${baseUrl}/__mock/dashboard/state`)).text()
    for (const [where, text] of [['page', html], ['snapshot', state]]) {
      assert.ok(!text.includes(apiKey), `the API key is shown in the ${where}`)
      assert.ok(!text.includes(appPassword), `an app password is shown in the ${where}`)
    }
  })

  test('a failure queued from the page reaches the next SDK call', async () => {
    await page.getByLabel('Failure', { exact: true }).selectOption({ label: 'Answer with a status' })
    await page.getByLabel('Status', { exact: true }).fill('503')
    await page.getByLabel('Requests', { exact: true }).fill('1')
    await page.getByRole('button', { name: 'Queue failure' }).click()
    await page.locator('#faults li', { hasText: 'answer 503' }).waitFor(WAIT)

    await assert.rejects(client.posts.retrieve(app.followUp, { maxRetries: 0 }), (error) => {
      assert.ok(error instanceof postcore.InternalServerError, `${error.name}: ${error.message}`)
      assert.equal(error.status, 503)
      assert.equal(error.code, 'SERVICE_UNAVAILABLE')
      return true
    })
    await page.locator('#requests tr').first().locator('td.status', { hasText: '503' }).waitFor(WAIT)
    await page.locator('#faults li').first().waitFor({ state: 'detached', ...WAIT })

    // A dropped connection.
    await page.getByLabel('Failure', { exact: true }).selectOption({ label: 'Drop the connection' })
    await page.getByRole('button', { name: 'Queue failure' }).click()
    await page.locator('#faults li', { hasText: 'drop the connection' }).waitFor(WAIT)
    await assert.rejects(client.profiles.list({ maxRetries: 0 }), (error) => {
      assert.ok(error instanceof postcore.APIConnectionError, `${error.name}: ${error.message}`)
      return true
    })
    await page.locator('#requests tr').first().locator('td.status', { hasText: 'dropped' }).waitFor(WAIT)
    // And the next call goes through.
    assert.equal((await client.profiles.list()).length, 2)
  })

  test('marking LinkedIn expired from the page shows needsReconnect', async () => {
    await page.getByRole('button', { name: 'Expire the LinkedIn token of User: ann@example.com' }).click()
    await profileCard(app.ann).locator('[data-needs-reconnect]').waitFor(WAIT)
    assert.match(await profileCard(app.ann).innerText(), /needsReconnect true/)
    // The LinkedIn post still to come is now marked as one that will fail.
    await post(app.followUp).locator('[data-role="will-fail"]').waitFor(WAIT)
    // And the events say so: the connection needs a reconnect, its expiry is near.
    for (const type of ['connection.needs_reconnect', 'connection.expiring']) {
      await page.locator(`#events li[data-type="${type}"]`, { hasText: app.ann }).waitFor(WAIT)
    }

    const ann = (await client.profiles.list()).find((p) => p.profileKey === app.ann)
    const linkedin = ann.connectedPlatforms.find((c) => c.platform === 'linkedin')
    assert.equal(linkedin.needsReconnect, true)
    assert.equal(linkedin.daysUntilExpiry, 0)

    // The screenshot for the README: everything above on one page.
    await logRows('POST', '/profiles/connect').first().click()
    await page.locator('#request-detail h3', { hasText: 'POST /profiles/connect' }).waitFor(WAIT)
    await page.mouse.move(0, 0)
    await page.evaluate(() => window.scrollTo(0, 0)) // the controls are sticky
    const shot = path.join(root, 'target', 'dashboard.png')
    await mkdir(path.dirname(shot), { recursive: true })
    await page.screenshot({ path: shot, fullPage: true })
    if (process.env.DASHBOARD_SCREENSHOT_DOCS) {
      const docs = toPalettePng(await readFile(shot))
      assert.ok(docs.length < 300_000, `docs/dashboard.png would be ${docs.length} bytes`)
      await mkdir(path.join(root, 'docs'), { recursive: true })
      await writeFile(path.join(root, 'docs', 'dashboard.png'), docs)
    }
  })

  test('works from the keyboard, with every control labelled', async () => {
    const unlabelled = await page.evaluate(() => {
      const name = (el) => (el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join(' ')) || el.textContent || '').trim()
      return [...document.querySelectorAll('button, input, select, textarea')]
        .filter((el) => !name(el))
        .map((el) => el.outerHTML.slice(0, 80))
    })
    assert.deepEqual(unlabelled, [])

    const before = (await control('GET', '/__mock/dashboard/state')).clockOffsetMs
    await page.getByRole('button', { name: '+1 min' }).focus()
    await page.keyboard.press('Enter')
    await page.locator('#notice', { hasText: 'Clock advanced by 1 minute' }).waitFor(WAIT)
    assert.equal((await control('GET', '/__mock/dashboard/state')).clockOffsetMs, before + 60_000)

    // A request row is selected with the keyboard too.
    await page.locator('#requests tr button').first().focus()
    await page.keyboard.press('Enter')
    await page.locator('#request-detail h3').waitFor(WAIT)
  })

  test('reset from the page empties the server', async () => {
    await page.getByRole('button', { name: 'Reset server…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Reset the server?' })
    await dialog.waitFor(WAIT)
    await dialog.getByRole('button', { name: 'Reset', exact: true }).click()
    await page.locator('#profiles .empty').waitFor(WAIT)
    await page.locator('#events .empty').waitFor(WAIT)
    assert.deepEqual(await client.profiles.list(), [])
    assert.equal(await page.locator('#clock-offset').innerText(), '(real time)')
    // The SDK's call above shows up live.
    await logRows('GET', '/profiles').first().waitFor(WAIT)
  })

  test('raised no console errors', () => {
    assert.deepEqual(problems, [])
  })
})
