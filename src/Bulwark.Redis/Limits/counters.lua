-- Bulwark counter script: every counter operation of one request, atomically, in one call.
-- A port of Bulwark.Core.Limits (TokenBucket, Gcra, SlidingWindow, FixedWindow, Concurrency, BucketDeficit): keep the two
-- in step. Times are .NET ticks relative to the store's epoch (see RedisCounterStore), so every value stays an exact
-- integer in Lua's doubles (< 2^53).
-- KEYS[i]: operation i's counter. ARGV[1]: now. Then 9 numbers per operation:
-- algorithm, mode, permits, period, burst, cost, maxDelay, window (now's window index, relative), elapsed (in it).
-- State is stored as struct-packed doubles 'a b c expiresAt'; an entry whose expiresAt <= now reads as fresh.
-- Returns 6 integers per operation: allowed, spent, remaining, resetAfter, retryAfter (-1: never), delay.
local now = tonumber(ARGV[1])
local n = #KEYS
local NEVER = -1
local LEASE_TTL = 6000000000 -- ten minutes in ticks (ConcurrencyAlgorithm.LeaseSafetyTtlTicks)
local SKEW_MS = tonumber(ARGV[2])

local floor, min, max = math.floor, math.min, math.max

-- floor(a / b) for integers, exact while |a| < 2^53 (the division alone can round up across an integer).
local function idiv(a, b)
  local q = floor(a / b)
  local r = a - q * b
  if r < 0 then q = q - 1 elseif r >= b then q = q + 1 end
  return q
end

local function ceildiv(a, b)
  if a == 0 then return 0 end
  return idiv(a - 1, b) + 1
end

local ops = {}
for i = 1, n do
  local o = 2 + (i - 1) * 9
  ops[i] = {
    alg = tonumber(ARGV[o + 1]), mode = tonumber(ARGV[o + 2]), permits = tonumber(ARGV[o + 3]),
    period = tonumber(ARGV[o + 4]), burst = tonumber(ARGV[o + 5]), cost = tonumber(ARGV[o + 6]),
    maxDelay = tonumber(ARGV[o + 7]), window = tonumber(ARGV[o + 8]), elapsed = tonumber(ARGV[o + 9]),
  }
end

local stored = {}
local function load(key)
  local s = stored[key]
  if s == nil then
    s = false
    local v = redis.call('GET', key)
    if v and #v == 32 then
      local a, b, c, e = struct.unpack('<dddd', v)
      if e > now then s = { a = a, b = b, c = c, e = e } end
    end
    stored[key] = s
  end
  if s then return { a = s.a, b = s.b, c = s.c, e = s.e } end
  return nil
end

-- Permits 0: refuse (Release passes); the state is left as it was, as CounterMath.Closed leaves it.
local function closed(op, r)
  if op.mode == 3 then r.allowed = 1 return end
  r.remaining = 0 r.reset = op.period r.retry = op.period
end

-- BucketDeficit.Decide
local function decide(d, op, r)
  local capacity = op.burst * op.period
  local need = op.cost * op.period
  local shortfall = d + need - capacity
  local mode = op.mode
  if mode == 0 or mode == 1 then
    if op.cost > op.burst then
      r.retry = NEVER
    elseif shortfall <= 0 then
      r.allowed = 1
      if mode == 0 then d = d + need r.spent = 1 end
    else
      local wait = ceildiv(shortfall, op.permits)
      if mode == 0 and wait <= op.maxDelay then
        d = d + need r.allowed = 1 r.spent = 1 r.delay = wait
      else
        r.retry = wait
      end
    end
  elseif mode == 2 then
    if shortfall <= 0 and op.cost <= op.burst then r.allowed = 1 end
    r.spent = 1
    d = min(d + need, max(d, 2 * capacity))
  else
    r.allowed = 1
  end
  if d >= capacity then r.remaining = 0 else r.remaining = idiv(capacity - d, op.period) end
  r.reset = ceildiv(d, op.permits)
  return d
end

local function tokenBucket(st, op, r)
  if op.permits == 0 then closed(op, r) return st end
  local d, u = 0, nil
  if st then d, u = st.a, st.b end
  if u == nil or now > u then
    if u ~= nil and d > 0 then
      -- refilled = elapsed * permits, compared without forming a product that could pass 2^53.
      local elapsed = now - u
      if elapsed >= ceildiv(d, op.permits) then d = 0 else d = d - elapsed * op.permits end
    else
      d = 0
    end
    u = now
  end
  d = decide(d, op, r)
  return { a = d, b = u, c = 0, e = u + r.reset }
end

local function gcra(st, op, r)
  if op.permits == 0 then closed(op, r) return st end
  local d = 0
  if st then
    if st.a > now then d = (st.a - now) * op.permits + st.b elseif st.a == now then d = st.b end
  end
  d = decide(d, op, r)
  local q = idiv(d, op.permits)
  local a, b = now + q, d - q * op.permits
  local e = a
  if b ~= 0 then e = a + 1 end
  return { a = a, b = b, c = 0, e = e }
end

local function slidingRetry(previous, current, cost, permits, period, elapsed)
  if cost > permits then return NEVER end
  if current + cost <= permits and previous > 0 then
    local slack = idiv((permits - current - cost) * period, previous)
    if slack >= 1 then return period - slack - elapsed end
  end
  local nextSlack = period
  if current ~= 0 then nextSlack = min(idiv((permits - cost) * period, current), period) end
  return period - elapsed + (period - nextSlack)
end

local function slidingWindow(st, op, r)
  if op.permits == 0 then closed(op, r) return st end
  local period, nowWindow = op.period, op.window
  local window, elapsed = nowWindow, op.elapsed
  local previous, current = 0, 0
  if st then
    local a = st.a
    previous, current = st.b, st.c
    if window == a + 1 then
      previous = current current = 0
    elseif window > a + 1 then
      previous = 0 current = 0
    elseif window < a then
      window = a elapsed = 0
    end
  end
  local limit = op.permits * period
  local previousWeight = previous * (period - elapsed)
  local fits = previousWeight + (current + op.cost) * period <= limit
  local mode = op.mode
  if mode == 0 or mode == 1 then
    if fits then
      r.allowed = 1
      if mode == 0 then current = min(current + op.cost, 4294967295) r.spent = 1 end
    else
      r.retry = slidingRetry(previous, current, op.cost, op.permits, period, elapsed)
    end
  elseif mode == 2 then
    if fits then r.allowed = 1 end
    r.spent = 1
    current = min(min(current + op.cost, max(current, 2 * op.permits)), 4294967295)
  else
    r.allowed = 1
  end
  local left = limit - previousWeight - current * period
  if left <= 0 then r.remaining = 0 else r.remaining = idiv(left, period) end
  -- windowEnd - now, in whichever window the counts are kept.
  local toEnd = (window - nowWindow) * period + period - op.elapsed
  local expiresIn = 0
  if current > 0 then expiresIn = toEnd + period elseif previous > 0 then expiresIn = toEnd end
  r.reset = expiresIn
  return { a = window, b = previous, c = current, e = now + expiresIn }
end

local function fixedWindow(st, op, r)
  if op.permits == 0 then closed(op, r) return st end
  local period, nowWindow = op.period, op.window
  local window, count = nowWindow, 0
  if st and window <= st.a then window = st.a count = st.b end
  local toEnd = (window - nowWindow) * period + period - op.elapsed
  local fits = count + op.cost <= op.permits
  local mode = op.mode
  if mode == 0 or mode == 1 then
    if fits then
      r.allowed = 1
      if mode == 0 then count = count + op.cost r.spent = 1 end
    elseif op.cost > op.permits then
      r.retry = NEVER
    else
      r.retry = max(toEnd, 1)
    end
  elseif mode == 2 then
    if fits then r.allowed = 1 end
    r.spent = 1
    count = min(count + op.cost, max(count, 2 * op.permits))
  else
    r.allowed = 1
  end
  r.remaining = max(op.permits - count, 0)
  local expiresIn = 0
  if count > 0 then expiresIn = toEnd end
  r.reset = max(expiresIn, 0)
  return { a = window, b = count, c = 0, e = now + expiresIn }
end

local function concurrency(st, op, r)
  local inFlight, touched = 0, now
  if st then inFlight, touched = st.a, st.b end
  local fits = inFlight + op.cost <= op.permits
  local mode = op.mode
  if mode == 0 or mode == 1 then
    if fits and op.permits > 0 then
      r.allowed = 1
      if mode == 0 then inFlight = inFlight + op.cost touched = now r.spent = 1 end
    elseif op.cost > op.permits then
      r.retry = NEVER
    end
  elseif mode == 2 then
    if fits and op.permits > 0 then r.allowed = 1 end
    r.spent = 1
    inFlight = inFlight + op.cost
    touched = now
  else
    r.allowed = 1 r.spent = 1
    inFlight = max(inFlight - op.cost, 0)
    touched = now
  end
  r.remaining = max(op.permits - inFlight, 0)
  local e = now
  if inFlight > 0 then e = touched + LEASE_TTL end
  return { a = inFlight, b = touched, c = 0, e = e }
end

local algorithms = { [0] = tokenBucket, [1] = slidingWindow, [2] = gcra, [3] = fixedWindow, [4] = concurrency }

-- One pass over the batch; operations on the same key see the state the previous one left.
local function run(acquireAsPeek)
  local current, results, states = {}, {}, {}
  local refused = false
  for i = 1, n do
    local op, key = ops[i], KEYS[i]
    local st = current[key]
    if st == nil then st = load(key) end
    local r = { allowed = 0, spent = 0, remaining = 0, reset = 0, retry = 0, delay = 0 }
    local applied = op
    if acquireAsPeek and op.mode == 0 then
      applied = {}
      for k, v in pairs(op) do applied[k] = v end
      applied.mode = 1
    end
    local after = algorithms[op.alg](st, applied, r)
    current[key] = after
    states[i] = after
    results[i] = r
    if op.mode == 0 and r.allowed == 0 then refused = true end
  end
  return results, states, refused
end

local results, states, refused = run(false)
if refused then
  -- All or nothing: replay with every Acquire as a Peek so later operations on a key see it untouched.
  local first = results
  results, states = run(true)
  for i = 1, n do
    if ops[i].mode == 0 then
      local r = results[i]
      r.allowed = first[i].allowed
      r.retry = first[i].retry
      r.spent = 0
      r.delay = 0
    end
  end
end

local writes, order = {}, {}
for i = 1, n do
  if results[i].spent == 1 then
    local key = KEYS[i]
    if writes[key] == nil then order[#order + 1] = key end
    writes[key] = states[i]
  end
end
for _, key in ipairs(order) do
  local s = writes[key]
  -- Redis forgets the key a little after the caller's expiry (SKEW_MS), so a gateway whose clock lags still finds it;
  -- even a fresh-equivalent state is kept that long, as the memory store keeps it for a clock that steps back.
  local ms = max(ceildiv(max(s.e - now, 0), 10000) + SKEW_MS, 1)
  redis.call('SET', key, struct.pack('<dddd', s.a, s.b, s.c, s.e), 'PX', ms)
end

local out = {}
for i = 1, n do
  local r = results[i]
  local o = (i - 1) * 6
  out[o + 1] = r.allowed out[o + 2] = r.spent out[o + 3] = r.remaining
  out[o + 4] = r.reset out[o + 5] = r.retry out[o + 6] = r.delay
end
return out
