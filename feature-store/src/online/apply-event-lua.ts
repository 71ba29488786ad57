// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const APPLY_EVENT_LUA = `
-- Applies one event to each entity it touches, atomically, and at most once per entity.
-- KEYS, per entity in turn: its hash, its seen set (event id -> event time), the streams touched.
-- ARGV: event_id, event_time_ms, horizon_ms, ttl_s, then per entity:
--   key_count, op_count, then op_count triples (op, a, b):
--   s <key index> <member>   stream add (index among this entity's keys), newest time per member
--   i <field> <by>           integer increment
--   n <field> <value>        keep the minimum
--   x <field> <value>        keep the maximum
--   l <field> <value>        last writer wins by (event time, event id)
-- Returns one code per entity: 0 applied, 1 duplicate, 2 later than the horizon (dropped).
local eid = ARGV[1]
local t = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])

-- Byte-wise comparison: Lua's string < follows the server's collation locale, JavaScript does not.
local function id_greater(a, b)
  local la, lb = #a, #b
  for k = 1, math.min(la, lb) do
    local ca, cb = string.byte(a, k), string.byte(b, k)
    if ca ~= cb then return ca > cb end
  end
  return la > lb
end

local function apply_entity(base, first_op, op_count)
  local hash, seen = KEYS[base], KEYS[base + 1]
  local wm = tonumber(redis.call('HGET', hash, '_wm'))
  if wm and t < wm - horizon then return 2 end
  if redis.call('ZSCORE', seen, eid) then return 1 end
  redis.call('ZADD', seen, t, eid)
  if not wm or t > wm then
    wm = t
    redis.call('HSET', hash, '_wm', ARGV[2])
  end
  local touched = {}
  for k = 0, op_count - 1 do
    local i = first_op + 3 * k
    local op, a, b = ARGV[i], ARGV[i + 1], ARGV[i + 2]
    if op == 's' then
      local key = KEYS[base - 1 + tonumber(a)]
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
local base, i = 1, 5
while i <= #ARGV do
  local key_count, op_count = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  out[#out + 1] = apply_entity(base, i + 2, op_count)
  base = base + key_count
  i = i + 2 + 3 * op_count
end
return out
`;
