// The review queue's Redis scripts: each state change of a case (open, claim, resolve in two steps,
// SLA expiry) and the stats read is one script, so it is atomic across replicas. In a TS module so
// tsc ships them with the build.

const OUT = `
local function out(o) local r = redis.call('HGETALL', KEYS[1]); table.insert(r, 1, o); return r end
`;

// KEYS case, open, order, created, sla; ARGV priority, id, order member, created_at, deadline, fields...
const OPEN_CASE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[2])
return 1
`;

// KEYS case, leases; ARGV now, reviewer, lease expiry
const CLAIM_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'lease_expires_at', 'id')
if not s[1] then return {'not_found'} end
if s[1] == 'resolved' or s[1] == 'expired' then return out('closed') end
local now = tonumber(ARGV[1])
local live = s[1] == 'claimed' and tonumber(s[3]) > now
if live and s[2] ~= ARGV[2] then return out('claimed') end
if not live then redis.call('HSET', KEYS[1], 'claimed_at', ARGV[1]) end
redis.call('HSET', KEYS[1], 'status', 'claimed', 'claimed_by', ARGV[2], 'lease_expires_at', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], s[4])
return out('ok')
`;

// KEYS case, leases; ARGV now, reviewer, label, grace expiry
const PREPARE_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'lease_expires_at', 'resolution', 'resolved_by', 'id')
if not s[1] then return {'not_found'} end
if s[1] == 'resolved' then
  if s[5] == ARGV[2] and s[4] == ARGV[3] then return out('already') end
  return out('closed')
end
if s[1] == 'expired' then return out('closed') end
if s[1] ~= 'claimed' then return out('not_claimed') end
local live = tonumber(s[3]) > tonumber(ARGV[1])
if s[2] ~= ARGV[2] then
  if live then return out('not_holder') end
  return out('not_claimed')
end
if not live then return out('lease_expired') end
if tonumber(ARGV[4]) > tonumber(s[3]) then
  redis.call('HSET', KEYS[1], 'lease_expires_at', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], s[6])
end
return out('ok')
`;

// KEYS case, open, order, created, sla, leases, resolved, expired
// ARGV now, reviewer, label, note, closed member, retained, ttl seconds
const COMMIT_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'resolution', 'resolved_by', 'id', '_order', '_closed')
if not s[1] then return {'not_found'} end
if s[1] == 'resolved' then
  if s[4] == ARGV[2] and s[3] == ARGV[3] then return out('already') end
  return out('closed')
end
if s[2] ~= ARGV[2] or (s[1] ~= 'claimed' and s[1] ~= 'expired') then return out('lost') end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolution', ARGV[3], 'note', ARGV[4],
  'resolved_by', ARGV[2], 'resolved_at', ARGV[1], '_closed', ARGV[5])
redis.call('ZREM', KEYS[2], s[5])
if s[6] then redis.call('ZREM', KEYS[3], s[6]) end
redis.call('ZREM', KEYS[4], s[5])
redis.call('ZREM', KEYS[5], s[5])
redis.call('ZREM', KEYS[6], s[5])
if s[1] == 'expired' and s[7] then redis.call('ZREM', KEYS[8], s[7]) end
redis.call('ZADD', KEYS[7], 0, ARGV[5])
redis.call('ZREMRANGEBYRANK', KEYS[7], tonumber(ARGV[6]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[7])
return out('ok')
`;

// KEYS case, open, order, created, sla, leases, expired, unannounced
// ARGV now, action, closed member, retained, ttl seconds, id, announce (1: list it as unannounced)
const EXPIRE_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'sla_deadline', '_order')
if (not s[1]) or (s[1] ~= 'open' and s[1] ~= 'claimed') then
  redis.call('ZREM', KEYS[5], ARGV[6])
  return {'gone'}
end
if tonumber(s[2]) > tonumber(ARGV[1]) then return {'not_due'} end
redis.call('HSET', KEYS[1], 'status', 'expired', 'expired_at', ARGV[1], 'sla_action', ARGV[2], '_closed', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[6])
if s[3] then redis.call('ZREM', KEYS[3], s[3]) end
redis.call('ZREM', KEYS[4], ARGV[6])
redis.call('ZREM', KEYS[5], ARGV[6])
redis.call('ZREM', KEYS[6], ARGV[6])
redis.call('ZADD', KEYS[7], 0, ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[7], tonumber(ARGV[4]), -1)
if ARGV[7] == '1' then
  redis.call('ZADD', KEYS[8], ARGV[1], ARGV[6])
  redis.call('ZREMRANGEBYRANK', KEYS[8], 0, -tonumber(ARGV[4]) - 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return out('expired')
`;

// KEYS open, leases, resolved, expired, created; ARGV now
const STATS_LUA = `
local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf'),
  redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]), oldest[2] or '-1'}
`;

/** ioredis command name -> [number of KEYS, script]; defined once per client. */
export const SCRIPTS = {
  rgOpenCase: [5, OPEN_CASE_LUA],
  rgClaimCase: [2, CLAIM_LUA],
  rgPrepareResolve: [2, PREPARE_LUA],
  rgCommitResolve: [8, COMMIT_LUA],
  rgExpireCase: [8, EXPIRE_LUA],
  rgReviewStats: [5, STATS_LUA],
} as const;
export type ScriptName = keyof typeof SCRIPTS;
