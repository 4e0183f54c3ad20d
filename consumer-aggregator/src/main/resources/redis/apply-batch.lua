-- Applies one project's part of one partition's batch atomically with that project's progress
-- marker for the partition. Every key carries the project's hash tag, so on Redis Cluster the
-- whole script runs on the node that owns the project.
--
-- KEYS[1]: the project's progress hash (field per topic-partition: last applied offset)
-- ARGV[1]: partition field; ARGV[2]: dedup TTL seconds;
-- ARGV[3]: the project's set of page keys; ARGV[4]: most pages kept apart;
-- ARGV[5]: TTL seconds of the page set and the progress hash (the longest bucket retention: a
-- marker unused that long guards no bucket that still exists).
-- Then per record: offset, seen-key, update count, and per update: op, key, field, argument, ttl.
--
-- A record at or below the marker was applied before (a redelivery or a replay) and is skipped;
-- a record whose event id was seen within the window is a client re-send and is skipped too.
-- Returns how many records were applied.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local dedupTtl = ARGV[2]
local pagesKey, pageLimit, pagesTtl = ARGV[3], tonumber(ARGV[4]), ARGV[5]
local admitted = {}
-- Each key's TTL is set once, after the last update that touched it, not after every update:
-- a batch hits the same few bucket keys hundreds of times.
local expiring = {}

-- A page gets histograms of its own while the project has fewer than pageLimit pages; later
-- pages share '(other)', so hostile or generated URLs cannot grow Redis without bound.
local function pageOf(page)
  if admitted[page] == nil then
    admitted[page] = redis.call('SISMEMBER', pagesKey, page) == 1
        or (redis.call('SCARD', pagesKey) < pageLimit and redis.call('SADD', pagesKey, page) == 1)
    redis.call('EXPIRE', pagesKey, pagesTtl)
  end
  if admitted[page] then
    return page
  end
  return '(other)'
end

local i = 6
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
      elseif op == 'HMAX' then
        local current = tonumber(redis.call('HGET', key, field))
        if current == nil or tonumber(argument) > current then
          redis.call('HSET', key, field, argument)
        end
      elseif op == 'HLATEST' then
        -- argument is "<received-at ms> <value>": the value with the latest time wins, whatever
        -- order the records arrive in.
        local current = redis.call('HGET', key, field)
        if not current or tonumber(string.match(argument, '^%S+')) > tonumber(string.match(current, '^%S+')) then
          redis.call('HSET', key, field, argument)
        end
      elseif op == 'PAGE_HINCRBY' then
        -- key is a prefix; argument is the page it is completed with.
        key = key .. pageOf(argument)
        redis.call('HINCRBY', key, field, 1)
      else
        redis.call('PFADD', key, field)
      end
      expiring[key] = ttl
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
for key, ttl in pairs(expiring) do
  redis.call('EXPIRE', key, ttl)
end
redis.call('HSET', KEYS[1], ARGV[1], last)
redis.call('EXPIRE', KEYS[1], pagesTtl)
return applied
