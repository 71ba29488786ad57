// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const READ_CHECKOUT_LUA = `
-- Reads what one checkout needs from all its entities in one call.
-- KEYS, per entity in turn: its hash, then the streams read.
-- ARGV: as_of_ms, then per entity: key_count, count_n, member_n, count_n pairs
--   (key index among this entity's keys, exclusive lower bound "(t"), member_n pairs (key index, member).
-- Returns per entity { HGETALL of the hash, count..., member score or nil... } in argument order.
local as_of = ARGV[1]
local out = {}
local base, i = 1, 2
while i <= #ARGV do
  local key_count, count_n, member_n = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  i = i + 3
  local entity = { redis.call('HGETALL', KEYS[base]) }
  for _ = 1, count_n do
    entity[#entity + 1] = redis.call('ZCOUNT', KEYS[base - 1 + tonumber(ARGV[i])], ARGV[i + 1], as_of)
    i = i + 2
  end
  for _ = 1, member_n do
    entity[#entity + 1] = redis.call('ZSCORE', KEYS[base - 1 + tonumber(ARGV[i])], ARGV[i + 1])
    i = i + 2
  end
  out[#out + 1] = entity
  base = base + key_count
end
return out
`;
