-- The rate budget for the Redis store: a line-by-line transcription of store/budget.rs
-- (`BudgetState::acquire`, `settle`, `observe`, `acquire_all`), with the same names in the same
-- order, so that a reader can compare them side by side. Change both together:
-- `store::tests::conformance` replays the same cases against every store.
--
-- One call of this script is one operation, atomic and one round trip. The time is the Redis
-- server's (`TIME`), so that hosts whose clocks disagree still agree on the windows. Every
-- budget written expires a little (KEEP_MS) after its window, pause or probe lease ends: a
-- budget that is gone reads as a new one, which is what budget.rs makes of a window that is
-- over.
--
-- Numbers are Lua's doubles: every input is bounded to MAX_VALUE (2^50) as in budget.rs, so
-- all sums are exact.
--
-- KEYS: one hash per budget (fields as in `BudgetState`).
-- ARGV[1] = 'acquire': ARGV[2] probe_ttl (ms), ARGV[3] background (0/1), then per key its
--   spec: limit, window_ms, learns (0/1). Returns {1, window_id, remaining, probe (0/1), ...}
--   for a grant (one triple per key, in order), {0, ms} for a wait.
-- ARGV[1] = 'settle': per key nine values: the grant's window_id, remaining, probe (0/1); sent
--   (0/1); the observation's limit, remaining, window_id, until_reset_ms ('' for none); the
--   pause in ms ('' for none). Returns 1.

local PROBE_POLL_MS = 20
local MAX_VALUE = 2 ^ 50
-- How long a budget outlives the last time in it.
local KEEP_MS = 60000

local function bounded(value)
  return math.min(math.max(value, 0), MAX_VALUE)
end

-- BudgetState::acquire
local function acquire(self, spec, p)
  if self.paused_until > p.now then
    return { wait = self.paused_until - p.now }
  end
  if self.reset_at ~= 0 and p.now >= self.reset_at then
    -- The window is over: the next one is unknown until a response tells it.
    self.window_id = 0
    self.reset_at = 0
  end
  if self.reset_at == 0 then
    if spec.learns and self.probe_until > p.now then
      return { wait = math.min(self.probe_until - p.now, PROBE_POLL_MS) }
    end
    -- A provisional window, on the documented limit.
    if self.limit <= 0 then
      self.limit = spec.limit
    end
    self.remaining = math.min(spec.limit, self.limit)
    self.reset_at = p.now + spec.window_ms
  end
  local provisional = spec.learns and self.window_id == 0
  if provisional and self.probe_until > p.now then
    return { wait = math.min(self.probe_until - p.now, PROBE_POLL_MS) }
  end
  local reserve = 0
  if p.background then
    reserve = math.floor(self.limit / 2)
  end
  if self.remaining <= reserve then
    return { wait = math.max(self.reset_at - p.now, 1) }
  end
  self.remaining = self.remaining - 1
  if provisional then
    self.probe_until = p.now + math.max(bounded(p.probe_ttl), 1)
  end
  return {
    granted = {
      window_id = self.window_id,
      remaining = self.remaining,
      probe = provisional,
    },
  }
end

-- BudgetState::observe
local function observe(self, now, o)
  local limit, remaining, window_id = bounded(o.limit), bounded(o.remaining), bounded(o.window_id)
  local reset_at = now + bounded(o.until_reset_ms)
  if window_id > self.window_id then
    -- A later window than any seen (or the first one told).
    self.limit = limit
    self.remaining = remaining
    self.window_id = window_id
    self.reset_at = reset_at
  elseif window_id == self.window_id then
    -- The same window: the server is the truth when it counts more than we did.
    self.remaining = math.min(self.remaining, remaining)
    self.limit = limit
    -- Each reckoning of the reset is late, never early: the earliest is the closest.
    self.reset_at = math.min(self.reset_at, reset_at)
  end
  -- An earlier window: a late answer; nothing to learn.
end

-- BudgetState::settle
local function settle(self, now, grant, outcome)
  if grant.probe then
    self.probe_until = 0
  end
  if not outcome.sent then
    if self.reset_at ~= 0 and self.window_id == grant.window_id and now < self.reset_at then
      self.remaining = math.min(self.remaining + 1, math.max(self.limit, 1))
    end
  else
    if outcome.observation then
      observe(self, now, outcome.observation)
    end
    if outcome.pause_ms then
      -- The server says the window is spent until then: the next one starts after the
      -- pause, with a probe.
      self.paused_until = math.max(self.paused_until, now + bounded(outcome.pause_ms))
      self.remaining = 0
      self.reset_at = math.max(self.paused_until, 1)
    end
  end
end

-- acquire_all
local function acquire_all(states, specs, params)
  local trial = {}
  for i, state in ipairs(states) do
    trial[i] = {}
    for field, value in pairs(state) do
      trial[i][field] = value
    end
  end
  local grants = {}
  local wait = 0
  for i, state in ipairs(trial) do
    local decision = acquire(state, specs[i], params)
    if decision.granted then
      grants[#grants + 1] = decision.granted
    else
      wait = math.max(wait, decision.wait)
    end
  end
  if wait > 0 then
    return { wait = wait }
  end
  for i, state in ipairs(trial) do
    states[i] = state
  end
  return { granted = grants }
end

-- The Redis side: the clock, loading and saving states, the arguments.

local FIELDS = { 'limit', 'remaining', 'window_id', 'reset_at', 'paused_until', 'probe_until' }

local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- An integer as Redis stores it (Lua would write large numbers as 1.7e+12).
local function int(value)
  return string.format('%d', value)
end

local function load(key)
  local values = redis.call('HMGET', key, unpack(FIELDS))
  local state = {}
  for i, field in ipairs(FIELDS) do
    state[field] = tonumber(values[i]) or 0
  end
  return state
end

local function save(key, state, now)
  local args = {}
  for _, field in ipairs(FIELDS) do
    args[#args + 1] = field
    args[#args + 1] = int(state[field])
  end
  redis.call('HSET', key, unpack(args))
  local last = math.max(state.reset_at, state.paused_until, state.probe_until)
  redis.call('PEXPIRE', key, int(math.max(last - now, 0) + KEEP_MS))
end

local function number(value)
  return bounded(tonumber(value) or 0)
end

-- Scripts after Redis 5 replicate their effects, so writing after TIME is allowed; older
-- servers need to be told.
if redis.replicate_commands then
  redis.replicate_commands()
end

local now = now_ms()
if ARGV[1] == 'acquire' then
  local params = { now = now, probe_ttl = number(ARGV[2]), background = ARGV[3] == '1' }
  local states, specs = {}, {}
  for i, key in ipairs(KEYS) do
    local at = 3 + (i - 1) * 3
    states[i] = load(key)
    specs[i] = {
      limit = number(ARGV[at + 1]),
      window_ms = number(ARGV[at + 2]),
      learns = ARGV[at + 3] == '1',
    }
  end
  local decision = acquire_all(states, specs, params)
  if not decision.granted then
    return { 0, decision.wait }
  end
  local reply = { 1 }
  for i, key in ipairs(KEYS) do
    save(key, states[i], now)
    local grant = decision.granted[i]
    reply[#reply + 1] = grant.window_id
    reply[#reply + 1] = grant.remaining
    reply[#reply + 1] = grant.probe and 1 or 0
  end
  return reply
elseif ARGV[1] == 'settle' then
  for i, key in ipairs(KEYS) do
    local at = 1 + (i - 1) * 9
    local grant = {
      window_id = number(ARGV[at + 1]),
      remaining = number(ARGV[at + 2]),
      probe = ARGV[at + 3] == '1',
    }
    local outcome = { sent = ARGV[at + 4] == '1' }
    if ARGV[at + 5] ~= '' then
      outcome.observation = {
        limit = tonumber(ARGV[at + 5]) or 0,
        remaining = tonumber(ARGV[at + 6]) or 0,
        window_id = tonumber(ARGV[at + 7]) or 0,
        until_reset_ms = tonumber(ARGV[at + 8]) or 0,
      }
    end
    if ARGV[at + 9] ~= '' then
      outcome.pause_ms = tonumber(ARGV[at + 9]) or 0
    end
    local state = load(key)
    settle(state, now, grant, outcome)
    save(key, state, now)
  end
  return 1
end
return redis.error_reply('budget.lua: unknown operation ' .. tostring(ARGV[1]))
