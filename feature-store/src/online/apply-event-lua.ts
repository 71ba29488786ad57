// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const APPLY_EVENT_LUA = `
-- Applies one event to each entity it touches, atomically, and at most once per entity.
-- KEYS: per entity its key base (the hash tag part); the script derives <base>:h (fields),
--   <base>:seen (event id -> event time) and <base>:s:<stream>.
-- ARGV: event_id, event_time_ms, horizon_ms, ttl_s, then JSON: per entity (aligned with KEYS) a list
--   of [op, a, b], all strings:
--   s <stream> <member>   stream add, newest time per member
--   i <field> <by>        integer increment
--   n <field> <value>     keep the minimum
--   x <field> <value>     keep the maximum
--   l <field> <value>     last writer wins by (event time, event id)
-- Returns one code per entity: 0 applied, 1 duplicate, 2 later than the horizon (dropped).
local eid = ARGV[1]
local t = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local ops_by_entity = cjson.decode(ARGV[5])

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
  local hash, seen = base .. ':h', base .. ':seen'
  local wm = tonumber(redis.call('HGET', hash, '_wm'))
  if wm and t < wm - horizon then return 2 end
  if redis.call('ZSCORE', seen, eid) then return 1 end
  redis.call('ZADD', seen, t, eid)
  if not wm or t > wm then
    wm = t
    redis.call('HSET', hash, '_wm', ARGV[2])
  end
  local touched = {}
  for _, o in ipairs(ops) do
    local op, a, b = o[1], o[2], o[3]
    if op == 's' then
      local key = base .. ':s:' .. a
      redis.call('ZADD', key, 'GT', t, b)
      touched[key] = true
    elseif op == 'i' then
      redis.call('HINCRBY', hash, a, b)
    elseif op == 'n' then
      local cur = tonumber(redis.call('HGET', hash, a))
      if not cur or tonumber(b) < cur then redis.call('HSET', hash, a, b) end
    elseif op == 'x' then
      local cur = tonumber(redis.call('HGET', hash, a))
      if not cur or tonumber(b) > cur then redis.call('HSET', hash, a, b) end
    elseif op == 'l' then
      local cur = redis.call('HMGET', hash, a .. '@t', a .. '@id')
      local ct = tonumber(cur[1])
      if not ct or t > ct or (t == ct and id_greater(eid, cur[2] or '')) then
        redis.call('HSET', hash, a, b, a .. '@t', ARGV[2], a .. '@id', eid)
      end
    end
  end
  -- State older than the horizon can no longer change a read (every read is windowed inside it).
  local floor = '(' .. tostring(wm - horizon)
  redis.call('ZREMRANGEBYSCORE', seen, '-inf', floor)
  redis.call('EXPIRE', seen, ttl)
  redis.call('EXPIRE', hash, ttl)
  for key in pairs(touched) do
    redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
    redis.call('EXPIRE', key, ttl)
  end
  return 0
end

local out = {}
for e = 1, #KEYS do out[e] = apply_entity(KEYS[e], ops_by_entity[e]) end
return out
`;
