/**
 * The Redis side of ActionStateStore.observe: one Lua script, so quarantine check, token
 * buckets (all or nothing) and baseline update are atomic across every sidecar sharing the
 * Redis. It mirrors behaviour-model.ts and memory-state-store.ts step by step (the constants
 * are interpolated from there); the conformance suite runs both.
 *
 * Time is Redis's own clock (TIME), so sidecars with skewed clocks share one timeline.
 * Floats are returned as strings: Redis truncates Lua numbers to integers.
 *
 * KEYS: 1 agent hash, 2 agent's targets set, 3 tenant's agent index, 4.. buckets.
 * ARGV: 1 agentId, 2 verdict, 3 actionType, 4 targetKey, 5 signal anomaly, 6 enabled,
 *       7 warmupActions, 8 scoreSmoothing, 9 suspiciousBelow, 10 compromisedBelow,
 *       11 quarantine, 12 anomalyThreshold, 13 burstFactor, 14 burstMinPerSecond,
 *       15 agent key TTL (ms), then per bucket: capacity, refillPerMs, limitId.
 * Returns: { quarantinedBefore, newlyQuarantined, reason, rateLimited, retryAfterMs, limitId,
 *            anomaly, factorMask, score, health }.
 */
import {
  FACTOR_BITS,
  FACTOR_BURST,
  FACTOR_NEW_TARGET,
  FACTOR_RARE_TYPE,
  FACTOR_UNSEEN_TYPE,
  MAX_TARGETS_PER_AGENT,
  RARE_TYPE_SHARE,
  RATE_SMOOTHING,
} from './behaviour-model.js';

export const OBSERVE_FIXED_ARGS = 15;

export const OBSERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local agent = KEYS[1]
redis.call('SADD', KEYS[3], ARGV[1])
local h = redis.call('HMGET', agent, 'q', 'qr', 'score', 'observed', 'anomalies', 'learned', 'sec', 'cnt', 'usual', 't:' .. ARGV[3])
local score = tonumber(h[3]) or 1
local suspicious = tonumber(ARGV[9])
local compromised = tonumber(ARGV[10])
local function health(s)
  if s < compromised then return 'COMPROMISED' elseif s < suspicious then return 'SUSPICIOUS' end
  return 'HEALTHY'
end
redis.call('HSET', agent, 'last', now, 'id', ARGV[1])
redis.call('PEXPIRE', agent, ARGV[15])
if h[1] == '1' then
  return {1, 0, h[2] or '', 0, 0, '', '0', 0, tostring(score), 'COMPROMISED'}
end

local limited, retry, limitId = 0, 0, ''
local nb = #KEYS - 3
if ARGV[2] ~= 'DENY' and nb > 0 then
  local avail = {}
  for i = 1, nb do
    local base = ${OBSERVE_FIXED_ARGS} + (i - 1) * 3
    local cap = tonumber(ARGV[base + 1])
    local rate = tonumber(ARGV[base + 2])
    local b = redis.call('HMGET', KEYS[3 + i], 'tk', 'ts')
    local tk = tonumber(b[1])
    if tk == nil then tk = cap else tk = math.min(cap, tk + math.max(0, now - tonumber(b[2])) * rate) end
    avail[i] = tk
    if tk < 1 then
      local wait = math.ceil((1 - tk) / rate)
      if wait > retry then retry = wait; limitId = ARGV[base + 3] end
      limited = 1
    end
  end
  if limited == 0 then
    for i = 1, nb do
      local base = ${OBSERVE_FIXED_ARGS} + (i - 1) * 3
      local cap = tonumber(ARGV[base + 1])
      local rate = tonumber(ARGV[base + 2])
      redis.call('HSET', KEYS[3 + i], 'tk', tostring(avail[i] - 1), 'ts', now)
      redis.call('PEXPIRE', KEYS[3 + i], math.ceil(cap / rate) + 1000)
    end
  end
end
if ARGV[6] ~= '1' then
  return {0, 0, '', limited, retry, limitId, '0', 0, tostring(score), health(score)}
end

local sec = math.floor(now / 1000)
local lastSec = tonumber(h[7]) or 0
local cnt = tonumber(h[8]) or 0
local usual = tonumber(h[9]) or 0
if sec ~= lastSec then
  if lastSec > 0 then
    local gap = sec - lastSec
    usual = usual * (1 - ${RATE_SMOOTHING}) + ${RATE_SMOOTHING} * cnt
    if gap > 1 then usual = usual * math.pow(1 - ${RATE_SMOOTHING}, math.min(gap - 1, 200)) end
  end
  lastSec = sec
  cnt = 0
end
cnt = cnt + 1

local learned = tonumber(h[6]) or 0
local typeCount = tonumber(h[10]) or 0
local targetSeen = redis.call('SISMEMBER', KEYS[2], ARGV[4]) == 1
local mask = 0
local keep = 1 - tonumber(ARGV[5])
if learned >= tonumber(ARGV[7]) then
  if not targetSeen then mask = mask + ${FACTOR_BITS['new-target']}; keep = keep * (1 - ${FACTOR_NEW_TARGET}) end
  if typeCount == 0 then mask = mask + ${FACTOR_BITS['unseen-type']}; keep = keep * (1 - ${FACTOR_UNSEEN_TYPE})
  elseif typeCount / learned < ${RARE_TYPE_SHARE} then mask = mask + ${FACTOR_BITS['rare-type']}; keep = keep * (1 - ${FACTOR_RARE_TYPE}) end
end
if cnt > math.max(tonumber(ARGV[14]), tonumber(ARGV[13]) * usual) then mask = mask + ${FACTOR_BITS.burst}; keep = keep * (1 - ${FACTOR_BURST}) end
local anomaly = 1 - keep

local observed = (tonumber(h[4]) or 0) + 1
local anomalies = tonumber(h[5]) or 0
if anomaly >= tonumber(ARGV[12]) then anomalies = anomalies + 1 end
if ARGV[2] == 'ALLOW' and limited == 0 then
  learned = learned + 1
  redis.call('HINCRBY', agent, 't:' .. ARGV[3], 1)
  if redis.call('SCARD', KEYS[2]) < ${MAX_TARGETS_PER_AGENT} then redis.call('SADD', KEYS[2], ARGV[4]) end
  redis.call('PEXPIRE', KEYS[2], ARGV[15])
end
local alpha = tonumber(ARGV[8])
score = score * (1 - alpha) + alpha * (1 - anomaly)
local hl = health(score)
local newly = 0
local reason = ''
if hl == 'COMPROMISED' and ARGV[11] == '1' then
  newly = 1
  reason = string.format('behaviour score %.3f fell below %s', score, ARGV[10])
end
redis.call('HSET', agent, 'score', tostring(score), 'observed', observed, 'anomalies', anomalies, 'learned', learned,
  'sec', lastSec, 'cnt', cnt, 'usual', tostring(usual), 'h', hl, 'q', newly, 'qr', reason)
return {0, newly, reason, limited, retry, limitId, tostring(anomaly), mask, tostring(score), hl}
`;

/** Lifts a quarantine (only for an agent that exists). Returns 1 when it existed. */
export const RELEASE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'q', 0, 'qr', '', 'score', '1', 'h', 'HEALTHY')
return 1
`;
