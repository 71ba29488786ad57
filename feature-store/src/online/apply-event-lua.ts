// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const APPLY_EVENT_LUA = `
-- Applies one event to each entity it touches, atomically, and at most once per entity.
-- KEYS: per entity its key base (the hash tag part); the script derives <base>:h (fields),
--   <base>:seen (event id -> event time) and <base>:s:<stream>.
-- ARGV: event_id, event_time_ms, horizon_ms, ttl_s, wall_day (days since the epoch, caller's
--   clock), then JSON: per entity (aligned with KEYS) a list of [op, a, b], all strings:
--   s <stream> <member>   stream add, newest time per member
--   i <field> <by>        integer increment
--   n <field> <value>     keep the minimum
--   x <field> <value>     keep the maximum
--   l <field> <value>     last writer wins by (event time, event id)
--   then never_too_late: 1 for labels, counted at the entity's newest time when past the horizon.
-- Returns one code per entity: 0 applied, 1 duplicate, 2 later than the horizon (dropped).
--
-- Housekeeping (trimming state older than the horizon, refreshing TTLs) runs on an entity's first
-- event of each wall-clock day and whenever its watermark enters a new day, not on every event:
-- it was half of this script's Redis calls. The hash records when it last ran (_hk) and which
-- streams the entity has (_s:<stream>), so a day's run reaches every stream key, and a stream
-- created between runs gets its TTL when created. The caller's TTL covers the day between runs.
local eid = ARGV[1]
local t = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local wall_day = ARGV[5]
local ops_by_entity = cjson.decode(ARGV[6])
local never_too_late = ARGV[7] == '1'
local DAY_MS = 86400000

-- Byte-wise comparison: Lua's string < follows the server's collation locale, JavaScript does not.
local function id_greater(a, b)
  local la, lb = #a, #b
  for k = 1, math.min(la, lb) do
    local ca, cb = string.byte(a, k), string.byte(b, k)
    if ca ~= cb then return ca > cb end
  end
  return la > lb
end

local function housekeep(base, hash, seen, wm)
  local floor = '(' .. tostring(wm - horizon)
  redis.call('ZREMRANGEBYSCORE', seen, '-inf', floor)
  redis.call('EXPIRE', seen, ttl)
  redis.call('EXPIRE', hash, ttl)
  local gone = {}
  for _, f in ipairs(redis.call('HKEYS', hash)) do
    if string.sub(f, 1, 3) == '_s:' then
      local key = base .. ':s:' .. string.sub(f, 4)
      redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
      -- Trimmed empty, the key is gone: forget it, so a later event registers it (and its TTL) again.
      if redis.call('EXPIRE', key, ttl) == 0 then gone[#gone + 1] = f end
    end
  end
  if #gone > 0 then redis.call('HDEL', hash, unpack(gone)) end
end

local function apply_entity(base, ops)
  -- Per entity: a late label counts at this entity's newest time, not the next entity's.
  local t = t
  local hash, seen = base .. ':h', base .. ':seen'
  -- Every hash field the ops read, in one HMGET: the watermark, the housekeeping mark, per stream
  -- its registration, per min/max field its value, per last-writer field its value, time and id.
  local names = { '_wm', '_hk' }
  for _, o in ipairs(ops) do
    local op, a = o[1], o[2]
    if op == 's' then
      names[#names + 1] = '_s:' .. a
    elseif op == 'n' or op == 'x' then
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
    t = wm
  end
  if redis.call('ZSCORE', seen, eid) then return 1 end
  redis.call('ZADD', seen, t, eid)

  -- Field writes gather here and go out in one HSET; cur follows them, so later ops see earlier ones.
  local pending, order = {}, {}
  local function set(field, value)
    if pending[field] == nil then order[#order + 1] = field end
    pending[field] = value
    cur[field] = value
  end
  if not wm or t > wm then
    wm = t
    set('_wm', ARGV[2])
  end
  local new_streams = {}
  for _, o in ipairs(ops) do
    local op, a, b = o[1], o[2], o[3]
    if op == 's' then
      local key, flag = base .. ':s:' .. a, '_s:' .. a
      redis.call('ZADD', key, 'GT', t, b)
      if not cur[flag] then
        set(flag, '1')
        new_streams[#new_streams + 1] = key
      end
    elseif op == 'i' then
      -- HINCRBY keeps integer semantics; a value still pending for this field is written first.
      if pending[a] ~= nil then
        redis.call('HSET', hash, a, pending[a])
        pending[a] = nil
      end
      cur[a] = redis.call('HINCRBY', hash, a, b)
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
        set(a .. '@t', ARGV[2])
        set(a .. '@id', eid)
      end
    end
  end

  local hk = wall_day .. '/' .. tostring(math.floor(wm / DAY_MS))
  local due = cur['_hk'] ~= hk
  if due then set('_hk', hk) end
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
    housekeep(base, hash, seen, wm)
  else
    for _, key in ipairs(new_streams) do redis.call('EXPIRE', key, ttl) end
  end
  return 0
end

local out = {}
for e = 1, #KEYS do out[e] = apply_entity(KEYS[e], ops_by_entity[e]) end
return out
`;
