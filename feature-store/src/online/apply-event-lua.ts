// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const APPLY_EVENT_LUA = `
-- Applies one event to each entity given (all on one Redis Cluster slot, or any on a standalone
-- Redis), atomically, and at most once per entity among the latest dedup_n events it applied.
-- KEYS: per entity its key base <prefix>fs:v2:{<entity>:<id>}; the script derives the keys
--   <base>:h (fields), <base>:seen (a ring of the 8-byte digests of the latest applied event ids,
--   next write position in the field _dp), <base>:c:<stream> (count ring cells),
--   <base>:x:<set> (capped exact set) and <base>:u:<set>:<window>:<slot> (HyperLogLog cells).
-- ARGV: event_id, event_time_ms, horizon_ms, ttl_s, wall_day, cap, dedup_n, then JSON: per entity
--   (aligned with KEYS) a list of ops, then never_too_late (1 for labels: past the horizon they
--   count at the entity's newest time instead of being dropped):
--   ["c", stream, [[letter, slots, bucket_index], ...]]   count in each unit's ring cell
--   ["u", set, member, [[window_ms, bucket_ms, buckets], ...]]   add to the capped set (and past
--                                                   the cap to each window's HyperLogLog cell)
--   ["i", field, by] ["n", field, v] ["x", field, v] ["l", field, v]   incr, min, max, last writer
-- Returns one code per entity: 0 applied, 1 duplicate, 2 later than the horizon (dropped).
-- memory-entity.ts does the same step for step; every structure is bounded (README).
--
-- Hash fields kept by the script: _wm watermark, _hk wall day of the last housekeeping (TTL
-- renewal), _k:<suffix> per key of the entity besides :h and :seen (so housekeeping reaches them),
-- _o:<set> once the set went over the cap, _u:<set>:<window>:<slot> the bucket index in that cell.
local eid = ARGV[1]
local t = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local wall_day = ARGV[5]
local cap = tonumber(ARGV[6])
local dedup_n = tonumber(ARGV[7])
local ops_by_entity = cjson.decode(ARGV[8])
local never_too_late = ARGV[9] == '1'
local LAP = 4294967296
-- The first 8 bytes of the event id's SHA-1: a collision between two ids is 2^-64 unlikely.
local digest = string.gsub(string.sub(redis.sha1hex(eid), 1, 16), '..', function(h)
  return string.char(tonumber(h, 16))
end)

local function seen_before(ring)
  local from = 1
  while true do
    local at = string.find(ring, digest, from, true)
    if not at then return false end
    if (at - 1) % 8 == 0 then return true end
    from = at + 1
  end
end

-- Byte-wise comparison: Lua's string < follows the server's collation locale, JavaScript does not.
local function id_greater(a, b)
  local la, lb = #a, #b
  for k = 1, math.min(la, lb) do
    local ca, cb = string.byte(a, k), string.byte(b, k)
    if ca ~= cb then return ca > cb end
  end
  return la > lb
end

local function apply_entity(base, ops)
  -- Per entity: a late label counts at this entity's newest time, not the next entity's.
  local t, t_text = t, ARGV[2]
  local hash, seen = base .. ':h', base .. ':seen'
  -- Every hash field the ops read, in one HMGET; a set's HyperLogLog cell fields only once the
  -- set has gone past the cap (cells_of below): most sets never do, and every event built and
  -- fetched all of their cells' field names for nothing (Lua strings cost this script most).
  local names = { '_wm', '_hk', '_dp' }
  for _, o in ipairs(ops) do
    local op, a = o[1], o[2]
    if op == 'c' then
      names[#names + 1] = '_k:c:' .. a
    elseif op == 'u' then
      names[#names + 1] = '_k:x:' .. a
      names[#names + 1] = '_o:' .. a
    elseif op == 'n' or op == 'x' or op == 'i' then
      names[#names + 1] = a
    elseif op == 'l' then
      names[#names + 1] = a .. '@t'
      names[#names + 1] = a .. '@id'
    end
  end
  local got = redis.call('HMGET', hash, unpack(names))
  local cur = {}
  for k = 1, #names do
    if got[k] then cur[names[k]] = got[k] end
  end

  local wm = tonumber(cur['_wm'])
  if wm and t < wm - horizon then
    if not never_too_late then return 2 end
    t, t_text = wm, cur['_wm']
  end
  -- The ring grows with the entity's events (most entities see a handful) up to dedup_n, then wraps.
  -- Not created at its full size: 8 KB for every cold user, device and IP filled a 2 GB Redis.
  if seen_before(redis.call('GET', seen) or '') then return 1 end
  local dp = tonumber(cur['_dp']) or 0
  redis.call('SETRANGE', seen, dp * 8, digest)

  -- Field writes gather here and go out in one HSET; cur follows them, so later ops see earlier ones.
  local pending, order = {}, {}
  local function set(field, value)
    if pending[field] == nil then order[#order + 1] = field end
    pending[field] = value
    cur[field] = value
  end
  -- Keys created by this event: they get their TTL now (housekeeping renews them later).
  local fresh = {}
  local function register(suffix)
    if not cur['_k:' .. suffix] then
      set('_k:' .. suffix, '1')
      fresh[#fresh + 1] = base .. ':' .. suffix
    end
  end
  -- Reads the HyperLogLog cell fields of set name into cur (a field this event wrote stays).
  local function cells_of(name, rings)
    local more = {}
    for _, w in ipairs(rings) do
      for s = 0, w[3] - 1 do
        local cell = name .. ':' .. w[1] .. ':' .. s
        more[#more + 1] = '_u:' .. cell
        more[#more + 1] = '_k:u:' .. cell
      end
    end
    local got = redis.call('HMGET', hash, unpack(more))
    for k = 1, #more do
      if got[k] and cur[more[k]] == nil then cur[more[k]] = got[k] end
    end
  end
  local function hll_add(name, w, member, time)
    local index = math.floor(time / w[2])
    local cell = name .. ':' .. w[1] .. ':' .. (index % w[3])
    local key = base .. ':u:' .. cell
    local stored = tonumber(cur['_u:' .. cell])
    if not stored or index > stored then
      -- The cell's bucket has left every window: it starts over (and needs its TTL again).
      redis.call('DEL', key)
      redis.call('PFADD', key, member)
      set('_u:' .. cell, string.format('%d', index))
      register('u:' .. cell)
      fresh[#fresh + 1] = key
    elseif index == stored then
      redis.call('PFADD', key, member)
    end
  end

  set('_dp', tostring((dp + 1) % dedup_n))
  if not wm or t > wm then
    wm = t
    set('_wm', ARGV[2])
  end
  for _, o in ipairs(ops) do
    local op, a, b = o[1], o[2], o[3]
    if op == 'c' then
      if #b > 0 then
        local key = base .. ':c:' .. a
        register('c:' .. a)
        local fields = {}
        for i, c in ipairs(b) do fields[i] = c[1] .. (c[3] % c[2]) end
        local cells = redis.call('HMGET', key, unpack(fields))
        local writes = {}
        for i, c in ipairs(b) do
          local lap = math.floor(c[3] / c[2])
          local v = tonumber(cells[i])
          local cur_lap = v and math.floor(v / LAP) or -1
          -- One HSET for every cell (the script is atomic, so read-add-write is an increment).
          if cur_lap == lap then
            writes[#writes + 1] = fields[i]
            writes[#writes + 1] = string.format('%.0f', v + 1)
          elseif cur_lap < lap then
            writes[#writes + 1] = fields[i]
            writes[#writes + 1] = string.format('%.0f', lap * LAP + 1)
          end
        end
        if #writes > 0 then redis.call('HSET', key, unpack(writes)) end
      end
    elseif op == 'u' then
      local key, rings = base .. ':x:' .. a, o[4]
      register('x:' .. a)
      -- The set never stays above the cap, so only a new member can take it past.
      local over = redis.call('ZADD', key, 'GT', t, b) > 0 and redis.call('ZCARD', key) > cap
      if cur['_o:' .. a] then
        cells_of(a, rings)
        for _, w in ipairs(rings) do hll_add(a, w, b, t) end
      elseif over then
        cells_of(a, rings)
        -- First time past the cap: the HyperLogLogs start from every member still known.
        local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
        for i = 1, #all, 2 do
          for _, w in ipairs(rings) do hll_add(a, w, all[i], tonumber(all[i + 1])) end
        end
        set('_o:' .. a, '1')
      end
      if over then redis.call('ZPOPMIN', key) end
    elseif op == 'i' then
      -- Integers (counts, cents) far below 2^53, so Lua's doubles add them exactly; the sum goes out
      -- with the other fields' writes, in the one HSET.
      set(a, string.format('%.0f', (tonumber(cur[a]) or 0) + tonumber(b)))
    elseif op == 'n' then
      local v = tonumber(cur[a])
      if not v or tonumber(b) < v then set(a, b) end
    elseif op == 'x' then
      local v = tonumber(cur[a])
      if not v or tonumber(b) > v then set(a, b) end
    elseif op == 'l' then
      local ct = tonumber(cur[a .. '@t'])
      if not ct or t > ct or (t == ct and id_greater(eid, cur[a .. '@id'] or '')) then
        set(a, b)
        set(a .. '@t', t_text)
        set(a .. '@id', eid)
      end
    end
  end

  local cur_hk = cur['_hk']
  local due = cur_hk ~= wall_day
  if due then set('_hk', wall_day) end
  do
    local args = {}
    for _, f in ipairs(order) do
      if pending[f] ~= nil then
        args[#args + 1] = f
        args[#args + 1] = pending[f]
      end
    end
    if #args > 0 then redis.call('HSET', hash, unpack(args)) end
  end
  if due then
    redis.call('EXPIRE', hash, ttl)
    redis.call('EXPIRE', seen, ttl)
  end
  if due and cur_hk then
    -- Once per wall-clock day per entity: renew the TTL of every key it has.
    local gone = {}
    for _, f in ipairs(redis.call('HKEYS', hash)) do
      if string.sub(f, 1, 3) == '_k:' then
        if redis.call('EXPIRE', base .. ':' .. string.sub(f, 4), ttl) == 0 then gone[#gone + 1] = f end
      end
    end
    -- Forget keys that are gone, so a later write registers them (and their TTL) again.
    if #gone > 0 then redis.call('HDEL', hash, unpack(gone)) end
  else
    -- Not due, or a new hash (no _hk yet: most events of a cold user, device or IP): every key it
    -- registered was registered by this event, which is all the walk above would find.
    for _, key in ipairs(fresh) do redis.call('EXPIRE', key, ttl) end
  end
  return 0
end

local out = {}
for e = 1, #KEYS do out[e] = apply_entity(KEYS[e], ops_by_entity[e]) end
return out
`;
