-- Applies the metric updates of one partition's batch atomically with its progress marker.
-- KEYS[1]: progress hash; ARGV[1]: partition field; ARGV[2]: dedup TTL seconds.
-- Then per record: offset, seen-key, update count, and per update: op, key, field, argument, ttl.
-- A record at or below the partition's last applied offset was applied before (a redelivery or
-- a replay) and is skipped; a record whose event id was seen within the window is a client
-- re-send and is skipped too. Returns how many records were applied.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local dedupTtl = ARGV[2]
local i = 3
local applied = 0
while i <= #ARGV do
  local offset = tonumber(ARGV[i])
  local seenKey = ARGV[i + 1]
  local count = tonumber(ARGV[i + 2])
  i = i + 3
  local apply = offset > last
  if apply then
    apply = redis.call('SET', seenKey, '1', 'NX', 'EX', dedupTtl) ~= false
  end
  for _ = 1, count do
    if apply then
      local op, key, field, argument, ttl = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
      if op == 'HINCRBY' then
        redis.call('HINCRBY', key, field, argument)
      elseif op == 'ZINCRBY' then
        redis.call('ZINCRBY', key, argument, field)
      elseif op == 'HSETNX' then
        redis.call('HSETNX', key, field, argument)
      else
        redis.call('PFADD', key, field)
      end
      redis.call('EXPIRE', key, ttl)
    end
    i = i + 5
  end
  if apply then
    applied = applied + 1
  end
  if offset > last then
    last = offset
  end
end
redis.call('HSET', KEYS[1], ARGV[1], last)
return applied
