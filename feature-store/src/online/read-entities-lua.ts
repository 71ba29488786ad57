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
-- Redis's Lua 5.1 interprets every step, and a string it builds costs about as much as a command:
-- bench:scripts measured this script at ~350 µs of Redis CPU per checkout, most of it in the loops
-- below, so they build no strings and look up no tables per ring cell.
local byte, floor, tonumber, call = string.byte, math.floor, tonumber, redis.call
local out = {}
for e = 1, #KEYS do
  local base, reads = KEYS[e], spec[e]
  local flat = call('HGETALL', base .. ':h')
  -- Features read the watermark and the event fields, never the bookkeeping of apply-event-lua.ts
  -- (fields starting with _): past the distinct cap it gains the HyperLogLog cells' fields, so
  -- sending it made every read's reply, and the API's work to parse it, grow with the entity's heat.
  -- The bookkeeping the distinct reads below need (_o: and _u: fields) is kept on the same pass.
  local fields, nf, book = {}, 0, {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if byte(f, 1) ~= 95 or f == '_wm' then
      fields[nf + 1] = f
      fields[nf + 2] = flat[i + 1]
      nf = nf + 2
    else
      local kind = byte(f, 2)
      if kind == 111 or kind == 117 then book[f] = flat[i + 1] end
    end
  end
  local entity = { fields }
  -- Each stream's ring is fetched once and each of its cells (field <letter><slot>, value
  -- lap * 2^32 + count) added to every window of this read that holds it: cell (slot, lap) is bucket
  -- lap * slots + slot, a window is at most one lap long, so each bucket in it has one cell and a
  -- cell from an older lap falls outside it. Only the reads' own units count (a stream's ring also
  -- holds its other units' cells).
  local counts = reads[1]
  local nc = #counts
  local sums, done = {}, {}
  for k = 1, nc do sums[k] = 0 end
  for k = 1, nc do
    local stream = counts[k][1]
    if not done[stream] then
      done[stream] = true
      local units, slots, oldest, newest, at, nr = {}, {}, {}, {}, {}, 0
      for r = k, nc do
        local c = counts[r]
        if c[1] == stream then
          nr = nr + 1
          units[nr], slots[nr], newest[nr], at[nr] = byte(c[2]), c[3], c[4], r
          oldest[nr] = c[4] - c[5] + 1
        end
      end
      local all = call('HGETALL', base .. ':c:' .. stream)
      for i = 1, #all, 2 do
        -- Slots are below 100 (bounded-state.ts): one or two digits after the letter.
        local unit, d1, d2 = byte(all[i], 1, 3)
        local slot = d2 and (d1 - 48) * 10 + d2 - 48 or d1 - 48
        local v = tonumber(all[i + 1])
        local lap, n = floor(v / LAP), v % LAP
        for r = 1, nr do
          if units[r] == unit then
            local j = lap * slots[r] + slot
            if j >= oldest[r] and j <= newest[r] then sums[at[r]] = sums[at[r]] + n end
          end
        end
      end
    end
  end
  for k = 1, nc do entity[k + 1] = sums[k] end
  local ne = nc + 1
  for _, d in ipairs(reads[2]) do
    local name, from = d[1], d[2]
    local key = base .. ':x:' .. name
    local n = call('ZCOUNT', key, string.format('(%d', from), as_of)
    -- Exact unless members were dropped from the capped set and the window reaches back to them.
    if book['_o:' .. name] then
      local low = call('ZRANGE', key, 0, 0, 'WITHSCORES')
      if low[2] and from < tonumber(low[2]) then
        local keys = {}
        for j = d[5] - d[4] + 1, d[5] do
          local cell = name .. ':' .. d[3] .. ':' .. (j % d[4])
          if tonumber(book['_u:' .. cell]) == j then keys[#keys + 1] = base .. ':u:' .. cell end
        end
        if #keys > 0 then
          local estimate = call('PFCOUNT', unpack(keys))
          if estimate > n then n = estimate end
        end
      end
    end
    ne = ne + 1
    entity[ne] = n
  end
  for _, m in ipairs(reads[3]) do
    ne = ne + 1
    entity[ne] = call('ZSCORE', base .. ':x:' .. m[1], m[2])
  end
  out[e] = entity
end
return out
`;
