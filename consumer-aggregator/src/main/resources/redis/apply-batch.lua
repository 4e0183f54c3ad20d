-- Applies one project's part of one partition's batch atomically with that project's progress
-- marker for the partition. Every key carries the project's hash tag, so on Redis Cluster the
-- whole script runs on the node that owns the project.
--
-- KEYS[1]: the project's progress hash (field per topic-partition: last applied offset)
-- ARGV[1]: partition field; ARGV[2]: dedup TTL seconds;
-- ARGV[3]: the project's set of page keys; ARGV[4]: most pages kept apart;
-- ARGV[5]: TTL seconds of the page set and the progress hash (the longest bucket retention: a
-- marker unused that long guards no bucket that still exists); ARGV[6]: the page name shared by
-- the pages beyond the cap; ARGV[7]: the highest offset of the project's records in the batch;
-- ARGV[8]: how many records follow, each as offset and seen-key; then the records' updates,
-- merged by the aggregator (MergedUpdates), each as op, key, field, value, page, ttl.
--
-- A record at or below the marker was applied before (a redelivery or a replay); a record whose
-- event id was seen within the window is a client re-send. The updates are merged across the
-- records, so they can only be applied all together: if any record is one of those, nothing is
-- written and the script returns the positions (from 1) of such records, for the aggregator to
-- merge the others again and call once more. Otherwise it returns how many records it applied.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local dedupTtl = ARGV[2]
local pagesKey, pageLimit, pagesTtl, otherPage = ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local highest = tonumber(ARGV[7])
local records = tonumber(ARGV[8])

local seenBefore = {}
for r = 1, records do
  local offset, seenKey = tonumber(ARGV[7 + 2 * r]), ARGV[8 + 2 * r]
  if offset <= last or redis.call('EXISTS', seenKey) == 1 then
    seenBefore[#seenBefore + 1] = r
  end
end
if #seenBefore > 0 then
  return seenBefore
end
for r = 1, records do
  redis.call('SET', ARGV[8 + 2 * r], '1', 'EX', dedupTtl)
end

-- A page gets histograms of its own while the project has fewer than pageLimit pages; later
-- pages share otherPage, so hostile or generated URLs cannot grow Redis without bound.
local admitted = {}
local function pageOf(page)
  if admitted[page] == nil then
    admitted[page] = redis.call('SISMEMBER', pagesKey, page) == 1
        or (redis.call('SCARD', pagesKey) < pageLimit and redis.call('SADD', pagesKey, page) == 1)
    redis.call('EXPIRE', pagesKey, pagesTtl)
  end
  if admitted[page] then
    return page
  end
  return otherPage
end

-- HMAX keeps the larger number; HLATEST keeps the "<received-at ms> <value>" with the latest
-- time, whatever order the records arrive in. current is nil or false when nothing is kept yet.
local function larger(candidate, current)
  return not current or tonumber(candidate) > tonumber(current)
end

local function later(candidate, current)
  return not current or tonumber(string.match(candidate, '^%S+')) > tonumber(string.match(current, '^%S+'))
end

local function keepBetter(key, field, value, better)
  if better(value, redis.call('HGET', key, field)) then
    redis.call('HSET', key, field, value)
  end
end

-- ttl: each key's TTL, set once at the end; sketches: each sketch's members, added in batches.
local ttl, sketches = {}, {}
for i = 9 + 2 * records, #ARGV, 6 do
  local op, key, field, value, page = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if op == 'HINCRBY' then
    redis.call('HINCRBY', key, field, value)
  elseif op == 'PAGE_HINCRBY' then
    key = key .. pageOf(page)
    redis.call('HINCRBY', key, field, value)
  elseif op == 'ZINCRBY' then
    redis.call('ZINCRBY', key, value, field)
  elseif op == 'HSETNX' then
    redis.call('HSETNX', key, field, value)
  elseif op == 'HMAX' then
    keepBetter(key, field, value, larger)
  elseif op == 'HLATEST' then
    keepBetter(key, field, value, later)
  else
    local members = sketches[key]
    if not members then
      members = {}
      sketches[key] = members
    end
    members[#members + 1] = field
  end
  ttl[key] = ARGV[i + 5]
end
for key, members in pairs(sketches) do
  for first = 1, #members, 1000 do
    redis.call('PFADD', key, unpack(members, first, math.min(first + 999, #members)))
  end
end
for key, seconds in pairs(ttl) do
  redis.call('EXPIRE', key, seconds)
end
if highest > last then
  redis.call('HSET', KEYS[1], ARGV[1], highest)
end
redis.call('EXPIRE', KEYS[1], pagesTtl)
return records
