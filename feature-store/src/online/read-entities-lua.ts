// The Lua lives in a TS module so tsc ships it with the build; see the header comment for the protocol.
export const READ_ENTITIES_LUA = `
-- Reads what one checkout needs from the entities given (all on one Redis Cluster slot, or any on
-- a standalone Redis) in one call. Keys as in apply-event-lua.ts.
-- ARGV[1]: as_of_ms. ARGV[2]: JSON, per entity (aligned with KEYS) [counts, distinct, members]:
--   counts   [[stream, letter, slots, newest_bucket, n], ...]: the n ring cells up to newest
--   distinct [[set, from_ms, window_ms, buckets, newest_bucket], ...]: members with newest time
--            in (from, as_of], or past the cap the larger of that and the HyperLogLog estimate
--   members  [[set, member], ...]: that member's newest time (the caller applies its window)
-- Returns per entity { the hash's fields less the store's bookkeeping, count..., distinct...,
-- member time or nil... }. memory-entity.ts reads the same way.
local as_of = ARGV[1]
local spec = cjson.decode(ARGV[2])
local LAP = 4294967296
local out = {}
for e = 1, #KEYS do
  local base, reads = KEYS[e], spec[e]
  local flat = redis.call('HGETALL', base .. ':h')
  -- Features read the watermark and the event fields, never the bookkeeping of apply-event-lua.ts
  -- (fields starting with _): past the distinct cap it gains the HyperLogLog cells' fields, so
  -- sending it made every read's reply, and the API's work to parse it, grow with the entity's heat.
  -- The bookkeeping the distinct reads below need (_o: and _u: fields) is kept on the same pass.
  local fields, book = {}, {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if string.byte(f, 1) ~= 95 or f == '_wm' then
      fields[#fields + 1] = f
      fields[#fields + 1] = flat[i + 1]
    else
      local kind = string.byte(f, 2)
      if kind == 111 or kind == 117 then book[f] = flat[i + 1] end
    end
  end
  local entity = { fields }
  -- Each ring is parsed once into per-letter cells (slot, lap, count), and a window sums the cells
  -- the ring holds that fall in it: a lookup by built field name per bucket of every window (598 per
  -- checkout) was half of this script's Redis CPU, mostly spent on buckets a cold entity never wrote.
  -- Only the units this read sums are parsed (a stream's ring also holds its other units' cells).
  local wanted = {}
  for _, c in ipairs(reads[1]) do
    local units = wanted[c[1]]
    if not units then
      units = {}
      wanted[c[1]] = units
    end
    units[string.byte(c[2])] = true
  end
  local rings = {}
  for _, c in ipairs(reads[1]) do
    local ring = rings[c[1]]
    if not ring then
      ring = {}
      local units = wanted[c[1]]
      local all = redis.call('HGETALL', base .. ':c:' .. c[1])
      for i = 1, #all, 2 do
        local field = all[i]
        local unit = string.byte(field, 1)
        if units[unit] then
          local cells = ring[unit]
          if not cells then
            cells = {}
            ring[unit] = cells
          end
          local v, n = tonumber(all[i + 1]), #cells
          cells[n + 1] = tonumber(string.sub(field, 2))
          cells[n + 2] = math.floor(v / LAP)
          cells[n + 3] = v % LAP
        end
      end
      rings[c[1]] = ring
    end
    -- Cell (slot, lap) holds bucket lap * slots + slot; a window is at most one lap long, so each
    -- bucket in it has one cell, and a cell from an older lap falls outside it.
    local sum, cells = 0, ring[string.byte(c[2])]
    if cells then
      local slots, newest = c[3], c[4]
      local oldest = newest - c[5] + 1
      for k = 1, #cells, 3 do
        local j = cells[k + 1] * slots + cells[k]
        if j >= oldest and j <= newest then sum = sum + cells[k + 2] end
      end
    end
    entity[#entity + 1] = sum
  end
  for _, d in ipairs(reads[2]) do
    local name, from = d[1], d[2]
    local key = base .. ':x:' .. name
    local n = redis.call('ZCOUNT', key, string.format('(%d', from), as_of)
    -- Exact unless members were dropped from the capped set and the window reaches back to them.
    if book['_o:' .. name] then
      local low = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      if low[2] and from < tonumber(low[2]) then
        local keys = {}
        for j = d[5] - d[4] + 1, d[5] do
          local cell = name .. ':' .. d[3] .. ':' .. (j % d[4])
          if tonumber(book['_u:' .. cell]) == j then keys[#keys + 1] = base .. ':u:' .. cell end
        end
        if #keys > 0 then
          local estimate = redis.call('PFCOUNT', unpack(keys))
          if estimate > n then n = estimate end
        end
      end
    end
    entity[#entity + 1] = n
  end
  for _, m in ipairs(reads[3]) do
    entity[#entity + 1] = redis.call('ZSCORE', base .. ':x:' .. m[1], m[2])
  end
  out[e] = entity
end
return out
`;
