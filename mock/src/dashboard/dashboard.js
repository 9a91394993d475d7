// postcore local server dashboard. Plain JavaScript, no dependencies: it reads
// /__mock/dashboard/state whenever /__mock/dashboard/events says something changed, renders it
// with DOM calls (never innerHTML: post content and request bodies are untrusted text), and
// drives the server through the ordinary /__mock control endpoints.
(() => {
  const $ = (id) => document.getElementById(id)

  const FAULT_CODES = {
    400: 'VALIDATION_ERROR',
    401: 'INVALID_API_KEY',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    422: 'UNPROCESSABLE_ENTITY',
    429: 'RATE_LIMIT_EXCEEDED',
    500: 'INTERNAL_SERVER_ERROR',
    502: 'BAD_GATEWAY',
    503: 'SERVICE_UNAVAILABLE',
    504: 'GATEWAY_TIMEOUT'
  }
  const PLATFORM_LABELS = { linkedin: 'LinkedIn', bluesky: 'Bluesky' }
  // LinkedIn's feed folds a post after about three lines.
  const LINKEDIN_FOLD = 210
  const numbers = new Intl.NumberFormat('en-US')
  const graphemeSegmenter = typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    : null

  const view = {
    snap: null,
    receivedAt: 0,
    loading: false,
    again: false,
    selected: null, // request id shown in the detail panel
    detail: null, // that request's detail, as fetched
    expanded: new Set(), // LinkedIn previews unfolded
    dueTimer: 0
  }

  // ---- small helpers -------------------------------------------------------------------------

  /** el('p', { class: 'x', text: 'hi', onclick: f, 'aria-label': 'y' }, child, 'text') */
  function el (tag, attrs, ...children) {
    const node = document.createElement(tag)
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue
      if (name === 'text') node.textContent = value
      else if (name === 'class') node.className = value
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value)
      else node.setAttribute(name, value === true ? '' : String(value))
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue
      node.append(child instanceof Node ? child : document.createTextNode(String(child)))
    }
    return node
  }

  const nowMs = () => view.snap ? view.snap.nowMs + (performance.now() - view.receivedAt) : Date.now()

  function formatTime (iso, withDate = true) {
    const date = new Date(iso)
    if (Number.isNaN(date.getTime())) return iso
    const options = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
    if (withDate) Object.assign(options, { year: 'numeric', month: 'short', day: 'numeric' })
    return date.toLocaleString(undefined, options)
  }

  function relative (targetMs) {
    const delta = targetMs - nowMs()
    const abs = Math.abs(delta)
    if (abs < 1500) return 'now'
    const units = [[86400000, 'day'], [3600000, 'h'], [60000, 'min'], [1000, 's']]
    const [size, unit] = units.find(([size]) => abs >= size)
    const count = Math.round(abs / size)
    const text = unit === 'day' ? `${count} day${count === 1 ? '' : 's'}` : `${count} ${unit}`
    return delta > 0 ? `in ${text}` : `${text} ago`
  }

  function duration (seconds) {
    const units = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']]
    const [size, unit] = units.find(([size]) => Math.abs(seconds) >= size && seconds % size === 0) || [1, 'second']
    const count = seconds / size
    return `${numbers.format(count)} ${unit}${Math.abs(count) === 1 ? '' : 's'}`
  }

  function graphemes (text) {
    if (graphemeSegmenter) return Array.from(graphemeSegmenter.segment(text), (s) => s.segment)
    return Array.from(text)
  }

  /** Text with links, #hashtags and @mentions set apart, as both networks show them. */
  function richText (text) {
    const parts = []
    const pattern = /(https?:\/\/[^\s]+)|(#[\p{L}\p{N}_]+)|(@[\w.-]+\w)/gu
    let last = 0
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) parts.push(text.slice(last, match.index))
      parts.push(el('span', { class: match[1] ? 'link' : 'tag', text: match[0] }))
      last = match.index + match[0].length
    }
    if (last < text.length) parts.push(text.slice(last))
    return parts
  }

  function notice (text, isError = false) {
    const node = $('notice')
    node.textContent = text
    node.classList.toggle('error', isError)
  }

  function setLive (state, text) {
    const node = $('live')
    node.dataset.state = state
    node.textContent = text
  }

  // ---- talking to the server -----------------------------------------------------------------

  async function control (method, path, body) {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    if (!response.ok) {
      let message = `HTTP ${response.status}`
      try { message = (await response.json()).message || message } catch { /* not JSON */ }
      throw new Error(message)
    }
    return response.status === 204 ? null : response.json()
  }

  async function act (description, method, path, body) {
    try {
      const result = await control(method, path, body)
      notice(typeof description === 'function' ? description(result) : description)
      refresh()
      return result
    } catch (error) {
      notice(`Failed: ${error.message}`, true)
      return null
    }
  }

  async function refresh () {
    if (view.loading) {
      view.again = true
      return
    }
    view.loading = true
    try {
      const response = await fetch('/__mock/dashboard/state', { cache: 'no-store' })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      view.snap = await response.json()
      view.receivedAt = performance.now()
      render()
    } catch (error) {
      setLive('down', `Cannot reach the server (${error.message})`)
    } finally {
      view.loading = false
      if (view.again) {
        view.again = false
        refresh()
      }
    }
  }

  function follow () {
    const events = new EventSource('/__mock/dashboard/events')
    events.addEventListener('change', () => refresh())
    events.addEventListener('open', () => setLive('live', 'Live'))
    events.addEventListener('error', () => setLive('connecting', 'Reconnecting…'))
  }

  // ---- rendering -----------------------------------------------------------------------------

  function render () {
    const snap = view.snap
    const focusKey = document.activeElement?.dataset?.key

    $('api-url').textContent = location.origin
    const usage = snap.usage
    $('usage').textContent = `${usage.used} / ${usage.limit} (${usage.month})`
    tick()

    const profileNames = new Map(snap.profiles.map((p) => [p.profileKey, p.profileName || 'Unnamed profile']))
    const profiles = new Map(snap.profiles.map((p) => [p.profileKey, p]))
    const posts = [...snap.posts].sort((a, b) =>
      a.scheduledFor.localeCompare(b.scheduledFor) || a.createdAt.localeCompare(b.createdAt))

    $('profiles-count').textContent = countText(snap.profiles.length, snap.totals.profiles)
    $('profiles').replaceChildren(...(snap.profiles.length
      ? snap.profiles.map((p) => profileCard(p, posts.filter((post) => post.profileKey === p.profileKey)))
      : [el('p', { class: 'empty', text: 'No profiles yet. Create one through the API (POST /profiles/create) or an SDK.' })]))

    $('posts-count').textContent = countText(snap.posts.length, snap.totals.posts)
    $('lanes').replaceChildren(...lanes(posts, profileNames))
    $('posts').replaceChildren(...(posts.length
      ? posts.map((post) => postItem(post, profiles.get(post.profileKey), profileNames))
      : [el('li', { class: 'empty', text: 'No posts scheduled yet.' })]))

    $('events-count').textContent = countText(snap.events.length, snap.totals.events)
    $('events').replaceChildren(...(snap.events.length
      ? snap.events.map((event) => eventItem(event, profileNames))
      : [el('li', { class: 'empty', text: 'No events yet: they come as posts are decided or cancelled, and profiles and accounts come and go.' })]))

    $('requests-count').textContent = countText(snap.requests.length, snap.totals.requests)
    $('requests').replaceChildren(...(snap.requests.length
      ? [...snap.requests].reverse().map(requestRow)
      : [el('tr', {}, el('td', { colspan: 4, class: 'muted', text: 'No API requests yet.' }))]))
    syncDetail()

    $('faults-count').textContent = String(snap.faults.reduce((n, f) => n + f.times, 0))
    $('faults').replaceChildren(...snap.faults.map((f) => el('li', { text: faultText(f) })))

    if (focusKey) {
      const again = document.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)
      if (again) again.focus({ preventScroll: true })
    }
    scheduleDue(posts)
  }

  function countText (shown, total) {
    return shown === total ? numbers.format(total) : `latest ${numbers.format(shown)} of ${numbers.format(total)}`
  }

  /** The clock and every relative time, once a second. */
  function tick () {
    if (!view.snap) return
    const now = nowMs()
    const clock = $('clock')
    clock.textContent = formatTime(new Date(now).toISOString())
    clock.setAttribute('datetime', new Date(now).toISOString())
    const offset = Math.round(view.snap.clockOffsetMs / 1000)
    $('clock-offset').textContent = offset === 0 ? '(real time)' : `(${offset > 0 ? '+' : '−'}${duration(Math.abs(offset))})`
    for (const node of document.querySelectorAll('[data-rel]')) {
      node.textContent = relative(Number(node.dataset.rel))
    }
  }

  /** Fetches again when the next pending post comes due, so it shows as published or failed. */
  function scheduleDue (posts) {
    clearTimeout(view.dueTimer)
    const now = nowMs()
    const next = posts
      .filter((p) => p.status === 'pending')
      .map((p) => Date.parse(p.scheduledFor))
      .filter((t) => t > now)
      .sort((a, b) => a - b)[0]
    if (next !== undefined) {
      view.dueTimer = setTimeout(refresh, Math.min(next - now + 300, 3600000))
    }
  }

  function profileCard (profile, posts) {
    const name = profile.profileName || 'Unnamed profile'
    const headingId = `profile-${profile.profileKey}`
    const connections = profile.connectedPlatforms.map((c) => connectionItem(profile, name, c))
    const counts = profile.postCounts
    return el('article', { class: 'profile', 'data-profile-key': profile.profileKey, 'aria-labelledby': headingId },
      el('header', {},
        el('h3', { id: headingId, text: name }),
        el('span', { class: 'muted', title: profile.createdAt }, 'created ', formatTime(profile.createdAt))),
      el('code', { class: 'key', text: profile.profileKey }),
      el('ul', { class: 'conns', 'aria-label': `Accounts connected to ${name}` },
        connections.length ? connections : el('li', { class: 'conn muted', text: 'No accounts connected' })),
      el('div', { class: 'counts', 'aria-label': `Posts of ${name}` },
        el('span', { class: 'badge pending', text: `${counts.pending} pending` }),
        el('span', { class: 'badge published', text: `${counts.published} published` }),
        el('span', { class: 'badge failed', text: `${counts.failed} failed` })),
      posts.length
        ? el('ul', { class: 'conns', 'aria-label': `Posts of ${name}, by scheduled time` },
          posts.map((post) => el('li', { class: 'conn' },
            el('span', { class: `platform ${post.platform}`, text: PLATFORM_LABELS[post.platform] || post.platform }),
            el('button', {
              class: 'linkish',
              'data-key': `profile-post-${post.postId}`,
              text: formatTime(post.scheduledFor),
              'aria-label': `Show the ${PLATFORM_LABELS[post.platform] || post.platform} post of ${formatTime(post.scheduledFor)}`,
              onclick: () => showPost(post.postId)
            }),
            el('span', { class: `badge ${post.status}`, text: post.status }))))
        : null)
  }

  function connectionItem (profile, name, connection) {
    const label = PLATFORM_LABELS[connection.platform] || connection.platform
    if (connection.platform !== 'linkedin') {
      return el('li', { class: 'conn', 'data-platform': connection.platform },
        el('span', { class: `platform ${connection.platform}`, text: label }),
        el('span', { class: 'who', text: `@${connection.username}` }),
        el('span', { class: 'badge ok', text: 'app password, no expiry' }))
    }
    const key = profile.profileKey
    const mark = (body, what) => act(`${name}: LinkedIn ${what}.`, 'POST', '/__mock/linkedin', { profileKey: key, ...body })
    return el('li', { class: 'conn', 'data-platform': 'linkedin' },
      el('span', { class: 'platform linkedin', text: label }),
      el('span', { class: 'who', text: connection.displayName }),
      el('code', { text: connection.username }),
      connection.needsReconnect
        ? el('span', { class: 'badge bad', 'data-needs-reconnect': 'true', text: 'needs reconnect' })
        : el('span', { class: 'badge ok', text: `${connection.daysUntilExpiry} days left` }),
      el('p', { class: 'meta' },
        connection.expiresAt ? `expires ${formatTime(connection.expiresAt)} · ` : '',
        `daysUntilExpiry ${connection.daysUntilExpiry} · needsReconnect ${connection.needsReconnect}`),
      el('div', { class: 'actions' },
        el('button', {
          type: 'button', class: 'small', 'data-key': `li-expire-${key}`, text: 'Expire token',
          'aria-label': `Expire the LinkedIn token of ${name}`,
          onclick: () => mark({ expired: true }, 'token expired')
        }),
        el('button', {
          type: 'button', class: 'small', 'data-key': `li-flag-${key}`, text: 'Needs reconnect',
          'aria-label': `Flag the LinkedIn connection of ${name} as needing a reconnect`,
          onclick: () => mark({ needsReconnect: true }, 'flagged as needing a reconnect')
        }),
        el('button', {
          type: 'button', class: 'small', 'data-key': `li-restore-${key}`, text: 'Restore',
          'aria-label': `Restore the LinkedIn connection of ${name}`,
          onclick: () => mark({ expired: false, needsReconnect: false }, 'connection restored')
        })))
  }

  function lanes (posts, profileNames) {
    if (!posts.length) return []
    const now = nowMs()
    const times = posts.map((p) => Date.parse(p.scheduledFor))
    let start = Math.min(now, ...times)
    let end = Math.max(now, ...times)
    if (end - start < 60000) {
      start -= 30000
      end += 30000
    }
    const pad = (end - start) * 0.04
    start -= pad
    end += pad
    const at = (t) => `${((t - start) / (end - start) * 100).toFixed(3)}%`
    const groups = new Map()
    for (const post of posts) {
      const id = `${post.profileKey} ${post.platform}`
      if (!groups.has(id)) groups.set(id, { profileKey: post.profileKey, platform: post.platform, posts: [] })
      groups.get(id).posts.push(post)
    }
    const rows = [...groups.values()].map((group) => {
      const name = profileNames.get(group.profileKey) || group.profileKey
      const platform = PLATFORM_LABELS[group.platform] || group.platform
      const nowLine = el('span', { class: 'now-line', title: 'now (mock clock)' })
      nowLine.style.left = at(now)
      const track = el('div', { class: 'track' }, nowLine,
        group.posts.map((post) => {
          const doomed = post.status === 'pending' && post.willFail
          const dot = el('button', {
            type: 'button',
            class: `dot ${post.status}${doomed ? ' doomed' : ''}`,
            'data-key': `dot-${post.postId}`,
            title: `${formatTime(post.scheduledFor)} · ${post.status}${doomed ? ' · will fail' : ''}`,
            'aria-label': `${platform} post of ${name}, ${formatTime(post.scheduledFor)}, ${post.status}${doomed ? ', will fail' : ''}`,
            onclick: () => showPost(post.postId)
          })
          dot.style.left = at(Date.parse(post.scheduledFor))
          return dot
        }))
      return el('div', { class: 'lane' },
        el('span', { class: 'lane-label', title: `${name} · ${platform}` },
          el('span', { class: `platform ${group.platform}`, text: platform }), ` ${name}`),
        track)
    })
    // "now" sits under the now line, unless it would cover the start or end label.
    const nowAt = (now - start) / (end - start)
    const nowLabel = nowAt > 0.18 && nowAt < 0.82 ? el('span', { class: 'now', text: 'now' }) : null
    if (nowLabel) nowLabel.style.left = at(now)
    const axis = el('div', { class: 'axis', 'aria-hidden': 'true' }, el('span'),
      el('div', { class: 'axis-scale' },
        el('span', { text: formatTime(new Date(start).toISOString()) }),
        nowLabel,
        el('span', { text: formatTime(new Date(end).toISOString()) })))
    return [...rows, axis]
  }

  function showPost (postId) {
    const item = document.getElementById(`post-${postId}`)
    if (!item) return
    for (const other of document.querySelectorAll('.post.highlight')) other.classList.remove('highlight')
    item.classList.add('highlight')
    item.scrollIntoView({ block: 'center', behavior: 'smooth' })
    item.focus({ preventScroll: true })
  }

  function postItem (post, profile, profileNames) {
    const platform = PLATFORM_LABELS[post.platform] || post.platform
    const name = profileNames.get(post.profileKey) || post.profileKey
    const scheduled = Date.parse(post.scheduledFor)
    const doomed = post.status === 'pending' && post.willFail
    const connection = profile?.connectedPlatforms.find((c) => c.platform === post.platform)
    return el('li', {
      class: 'post', id: `post-${post.postId}`, tabindex: '-1',
      'data-post-id': post.postId, 'data-status': post.status
    },
    el('div', { class: 'post-meta' },
      el('time', { datetime: post.scheduledFor, title: post.scheduledFor, text: formatTime(post.scheduledFor) }),
      el('span', { class: 'muted', 'data-rel': scheduled, text: relative(scheduled) }),
      el('span', {},
        el('span', { class: `badge ${post.status}`, 'data-role': 'status', text: post.status }),
        ' ',
        doomed ? el('span', { class: 'badge bad', 'data-role': 'will-fail', text: 'will fail' }) : null),
      el('span', {}, el('span', { class: `platform ${post.platform}`, text: platform }), ` · ${name}`),
      el('code', { text: post.postId }),
      doomed ? el('span', { class: 'reason', text: post.willFail }) : null,
      post.status === 'failed' && post.failureReason ? el('span', { class: 'reason', text: post.failureReason }) : null,
      post.status === 'published' && post.platformUrl
        ? el('code', { class: 'muted', title: post.platformUrl, text: post.platformUrl.replace(/^https:\/\//, '') })
        : null),
    post.platform === 'bluesky'
      ? blueskyPreview(post, connection)
      : linkedinPreview(post, connection, name))
  }

  function meter (used, limit) {
    const bar = el('span')
    bar.style.width = `${Math.min(100, used / limit * 100).toFixed(1)}%`
    return el('div', { class: `meter${used > limit ? ' over-limit' : ''}`, 'aria-hidden': 'true' }, bar)
  }

  function initials (text) {
    const letter = (text || '?').trim().charAt(0)
    return letter ? letter.toUpperCase() : '?'
  }

  function linkedinPreview (post, connection, profileName) {
    const limit = view.snap.limits.contentChars
    const chars = Array.from(post.content)
    const expanded = view.expanded.has(post.postId)
    const folded = !expanded && chars.length > LINKEDIN_FOLD
    const shown = folded ? chars.slice(0, LINKEDIN_FOLD).join('').trimEnd() : post.content
    const author = connection ? connection.displayName : 'LinkedIn member'
    const text = el('p', { class: 'text' }, richText(shown))
    if (folded) {
      text.append('… ', el('button', {
        type: 'button', class: 'more', 'data-key': `more-${post.postId}`, text: 'see more',
        'aria-label': 'Show the whole LinkedIn post',
        onclick: () => { view.expanded.add(post.postId); render() }
      }))
    }
    return el('article', { class: 'preview linkedin', 'aria-label': `LinkedIn preview of ${post.postId}` },
      el('header', {},
        el('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(author) }),
        el('div', {},
          el('div', { class: 'name', text: author }),
          el('div', { class: 'sub', text: `${profileName} · ${formatTime(post.scheduledFor)} · public` }))),
      text,
      meter(post.chars, limit),
      el('footer', {},
        el('span', { text: folded ? `Folded at about ${LINKEDIN_FOLD} characters, as in the feed` : '' }),
        el('span', {
          class: `limit${post.chars > limit ? ' over-limit' : ''}`,
          'data-role': 'limit',
          text: `${numbers.format(post.chars)} / ${numbers.format(limit)} characters`
        })))
  }

  function blueskyPreview (post, connection) {
    const limit = view.snap.limits.blueskyGraphemes
    const over = post.graphemes > limit
    const clusters = over ? graphemes(post.content) : null
    const handle = connection ? connection.username : 'handle.bsky.social'
    const name = connection ? connection.displayName : handle
    return el('article', { class: 'preview bluesky', 'aria-label': `Bluesky preview of ${post.postId}` },
      el('header', {},
        el('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(name) }),
        el('div', {},
          el('span', { class: 'name', text: name }), ' ',
          el('span', { class: 'sub', text: `@${handle} · ${formatTime(post.scheduledFor, false)}` }))),
      over
        ? el('p', { class: 'text' },
          richText(clusters.slice(0, limit).join('')),
          el('span', { class: 'over', title: `Beyond Bluesky's ${limit}-grapheme limit`, text: clusters.slice(limit).join('') }))
        : el('p', { class: 'text' }, richText(post.content)),
      meter(post.graphemes, limit),
      el('footer', {},
        el('span', { class: over ? 'limit over-limit' : '', text: over ? `${numbers.format(post.graphemes - limit)} over Bluesky's limit: publishing will fail` : '' }),
        el('span', {
          class: `limit${over ? ' over-limit' : ''}`,
          'data-role': 'limit',
          text: `${numbers.format(post.graphemes)} / ${numbers.format(limit)} graphemes`
        })))
  }

  /** The badge colour of an event type: good news, bad news, or neither. */
  function eventTone (type) {
    if (type === 'post.published' || type === 'connection.connected' || type === 'profile.created') return 'ok'
    if (type === 'post.failed' || type === 'connection.needs_reconnect') return 'bad'
    if (type === 'connection.expiring') return 'warn'
    return 'neutral'
  }

  function eventItem (event, profileNames) {
    const data = event.data || {}
    const about = []
    if (data.postId) about.push(el('code', { text: data.postId }))
    if (data.platform) about.push(el('span', { class: `platform ${data.platform}`, text: PLATFORM_LABELS[data.platform] || data.platform }))
    const name = data.profileName || profileNames.get(data.profileKey)
    if (data.profileKey) about.push(el('span', { text: name ? `${name} (${data.profileKey})` : data.profileKey }))
    if (data.username && !data.postId) about.push(el('span', { class: 'muted', text: `@${data.username}` }))
    if (data.status && event.type === 'post.deleted') about.push(el('span', { class: 'muted', text: `was ${data.status}` }))
    if (event.type === 'connection.expiring' && data.daysUntilExpiry !== undefined) {
      about.push(el('span', { class: 'muted', text: `${data.daysUntilExpiry} day${data.daysUntilExpiry === 1 ? '' : 's'} left` }))
    }
    if (data.failureReason) about.push(el('span', { class: 'reason', text: data.failureReason }))
    return el('li', { class: 'event', 'data-event-id': event.id, 'data-type': event.type },
      el('time', { datetime: event.createdAt, title: event.createdAt, text: formatTime(event.createdAt) }),
      el('span', { class: `badge ${eventTone(event.type)}`, 'data-role': 'type', text: event.type }),
      el('code', { class: 'muted', 'data-role': 'id', text: event.id }),
      el('span', { class: 'about' }, about.flatMap((part, i) => i ? [' · ', part] : [part])))
  }

  function statusClass (status) {
    return status === null || status === undefined ? 'dropped' : `s${String(status).charAt(0)}`
  }

  function requestRow (request) {
    const selected = view.selected === request.id
    return el('tr', {
      'data-request-id': request.id,
      'data-selected': selected ? 'true' : 'false',
      onclick: () => select(request.id)
    },
    el('td', {}, el('time', { datetime: request.time, title: request.time, text: formatTime(request.time, false) })),
    el('td', { class: 'mono', text: request.method }),
    el('td', { class: 'path' }, el('button', {
      type: 'button',
      class: 'linkish',
      'data-key': `request-${request.id}`,
      'aria-pressed': selected ? 'true' : 'false',
      'aria-controls': 'request-detail',
      text: request.path,
      onclick: (event) => { event.stopPropagation(); select(request.id) }
    })),
    el('td', { class: `status ${statusClass(request.status)}`, text: request.status === null ? 'dropped' : request.status }))
  }

  async function select (id) {
    view.selected = id
    view.detail = null
    for (const row of document.querySelectorAll('#requests tr')) {
      const on = Number(row.dataset.requestId) === id
      row.dataset.selected = on ? 'true' : 'false'
      const button = row.querySelector('button')
      if (button) button.setAttribute('aria-pressed', on ? 'true' : 'false')
    }
    await loadDetail(id)
  }

  async function loadDetail (id) {
    try {
      const response = await fetch(`/__mock/dashboard/requests/${id}`, { cache: 'no-store' })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const detail = await response.json()
      if (view.selected !== id) return
      view.detail = detail
      renderDetail()
    } catch (error) {
      $('request-detail').replaceChildren(el('p', { class: 'muted', text: `Cannot load the request (${error.message}).` }))
    }
  }

  /** Keeps the detail panel in step with the log: gone after a reset, re-read once answered. */
  function syncDetail () {
    if (view.selected === null) return
    const line = view.snap.requests.find((r) => r.id === view.selected)
    if (view.selected >= view.snap.totals.requests) {
      view.selected = null
      view.detail = null
      $('request-detail').replaceChildren(el('p', { class: 'muted', text: 'No request selected.' }))
    } else if (line && view.detail && line.status !== view.detail.status) {
      loadDetail(view.selected)
    }
  }

  function renderDetail () {
    const d = view.detail
    let body = d.body
    if (body) {
      try { body = JSON.stringify(JSON.parse(body), null, 2) } catch { /* shown as sent */ }
    }
    $('request-detail').replaceChildren(
      el('h3', { text: `${d.method} ${d.path} → ${d.status === null ? 'dropped' : d.status}` }),
      el('p', { class: 'muted', text: `#${d.id} · received ${formatTime(d.time)} (mock clock)` }),
      el('dl', { 'aria-label': 'Request headers' },
        Object.entries(d.headers).map(([name, value]) => [el('dt', { text: name }), el('dd', { text: value })])),
      body
        ? el('pre', { 'aria-label': 'Request body', tabindex: '0', text: body.length > 200000 ? `${body.slice(0, 200000)}\n… (cut)` : body })
        : el('p', { class: 'muted', text: 'No body.' }))
  }

  function faultText (fault) {
    const parts = []
    if (fault.action === 'drop') parts.push('drop the connection')
    else if (fault.action === 'reset') parts.push('reset the connection')
    else if (fault.action === 'truncate') parts.push(`cut the body${fault.status ? ` of a ${fault.status}` : ''}`)
    else if (fault.status) parts.push(`answer ${fault.status}`)
    if (fault.delayMs) parts.push(`after ${numbers.format(fault.delayMs)} ms`)
    if (!parts.length) parts.push('answer normally')
    if (fault.process) parts.push('(processed first)')
    return `${parts.join(' ')} · ${fault.times} request${fault.times === 1 ? '' : 's'}`
  }

  // ---- controls ------------------------------------------------------------------------------

  function advance (seconds) {
    return act(`Clock advanced by ${duration(seconds)}.`, 'POST', '/__mock/advance', { seconds })
  }

  $('advance-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const amount = Number($('advance-amount').value)
    const unit = Number($('advance-unit').value)
    if (!Number.isFinite(amount) || amount <= 0) {
      notice('Enter a positive amount to advance the clock by.', true)
      return
    }
    advance(Math.round(amount * unit * 1000) / 1000)
  })
  for (const button of document.querySelectorAll('[data-advance]')) {
    button.addEventListener('click', () => advance(Number(button.dataset.advance)))
  }

  function syncFaultForm () {
    const kind = $('fault-kind').value
    $('fault-status').disabled = kind !== 'status'
  }
  $('fault-kind').addEventListener('change', syncFaultForm)
  syncFaultForm()

  $('fault-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const kind = $('fault-kind').value
    const status = Number($('fault-status').value)
    const delay = Math.max(0, Math.round(Number($('fault-delay').value) || 0))
    const times = Math.max(1, Math.round(Number($('fault-times').value) || 1))
    const fault = { delay_ms: delay, times, process: $('fault-process').checked }
    let what
    if (kind === 'status') {
      if (!Number.isInteger(status) || status < 100 || status > 599) {
        notice('The status must be a number from 100 to 599.', true)
        return
      }
      const body = {
        error: FAULT_CODES[status] || 'ERROR',
        message: `Failure injected from the postcore local server dashboard (HTTP ${status})`
      }
      if (status === 429) {
        body.message = 'Rate limit exceeded. Try again in 60 seconds'
        body.retry_after = 60
      } else if (status === 401) {
        body.message = 'Invalid API key'
      }
      Object.assign(fault, { status, body })
      what = `answer ${status}`
    } else if (kind === 'drop') {
      fault.action = 'drop'
      what = 'drop the connection'
    } else {
      what = `wait ${numbers.format(delay)} ms`
    }
    const next = times === 1 ? 'The next request will' : `The next ${times} requests will`
    act(`${next} ${what}${kind !== 'delay' && delay ? ` after ${numbers.format(delay)} ms` : ''}.`, 'POST', '/__mock/faults', fault)
  })

  $('clear-faults').addEventListener('click', () =>
    act((r) => `Cleared ${r.cleared} queued failure${r.cleared === 1 ? '' : 's'}.`, 'DELETE', '/__mock/faults'))

  const dialog = $('reset-dialog')
  $('reset').addEventListener('click', () => {
    dialog.returnValue = '' // Escape keeps the last value: start from "not confirmed"
    dialog.showModal()
  })
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'reset') return
    view.selected = null
    view.detail = null
    view.expanded.clear()
    $('request-detail').replaceChildren(el('p', { class: 'muted', text: 'No request selected.' }))
    await act('The server was reset.', 'POST', '/__mock/reset')
    $('reset').focus()
  })

  setInterval(tick, 1000)
  refresh()
  follow()
})()
