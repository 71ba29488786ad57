// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const READ_CHECKOUT_LUA = `
-- Reads what one checkout needs from all its entities in one call.
-- KEYS: per entity its key base (the hash tag part); the script derives <base>:h and <base>:s:<stream>.
-- ARGV[1]: as_of_ms. ARGV[2]: JSON, per entity (aligned with KEYS) [counts, members] where
--   counts = [{stream, windowMs}, ...] (members with newest time in (as_of - window, as_of])
--   members = [{stream, member, ...}, ...] (that member's newest time; its window is applied by the caller).
-- Returns per entity { HGETALL of the hash, count..., member score or nil... } in argument order.
-- One JSON argument instead of ~90 separate ones: building and parsing per-argument RESP cost the
-- scoring API more than the reads cost Redis.
local as_of = tonumber(ARGV[1])
local spec = cjson.decode(ARGV[2])
local out = {}
for e = 1, #KEYS do
  local base, reads = KEYS[e], spec[e]
  local entity = { redis.call('HGETALL', base .. ':h') }
  for _, c in ipairs(reads[1]) do
    entity[#entity + 1] = redis.call('ZCOUNT', base .. ':s:' .. c.stream, string.format('(%d', as_of - c.windowMs), ARGV[1])
  end
  for _, m in ipairs(reads[2]) do
    entity[#entity + 1] = redis.call('ZSCORE', base .. ':s:' .. m.stream, m.member)
  end
  out[e] = entity
end
return out
`;
