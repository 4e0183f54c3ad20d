-- Applies one project's part of one partition's batch atomically with that project's progress
-- marker for the partition. Every key carries the project's hash tag, so on Redis Cluster the
-- whole script runs on the node that owns the project.
--
-- KEYS[1]: the project's progress hash (field per topic-partition: last applied offset)
-- ARGV[1]: partition field; ARGV[2]: dedup TTL seconds;
-- ARGV[3]: the project's set of page keys; ARGV[4]: most pages kept apart;
-- ARGV[5]: TTL seconds of the page set and the progress hash (the longest bucket retention: a
-- marker unused that long guards no bucket that still exists); ARGV[6]: the page name shared by
-- the pages beyond the cap.
-- Then per record: offset, seen-key, update count, and per update: op, key, field, argument, ttl.
--
-- A record at or below the marker was applied before (a redelivery or a replay) and is skipped;
-- a record whose event id was seen within the window is a client re-send and is skipped too.
-- The applied records' updates are first merged in Lua tables (500 events add to the same few
-- counters), then written with one command per key and field: the result is the same as one
-- command per update, for a fraction of the calls into Redis. Returns how many records were applied.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local dedupTtl = ARGV[2]
local pagesKey, pageLimit, pagesTtl, otherPage = ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local admitted = {}

-- A page gets histograms of its own while the project has fewer than pageLimit pages; later
-- pages share otherPage, so hostile or generated URLs cannot grow Redis without bound.
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

-- Merged updates, per key then per field. ttl: each key's TTL, set once at the end.
local increments, sortedIncrements, firstValues, maxima, latest, sketches = {}, {}, {}, {}, {}, {}
local ttl = {}

-- HMAX keeps the larger number; HLATEST keeps the "<received-at ms> <value>" with the latest
-- time, whatever order the records arrive in. current is nil or false when nothing is kept yet.
local function larger(candidate, current)
  return not current or tonumber(candidate) > tonumber(current)
end

local function later(candidate, current)
  return not current or tonumber(string.match(candidate, '^%S+')) > tonumber(string.match(current, '^%S+'))
end

local function entry(tableOfKeys, key)
  local fields = tableOfKeys[key]
  if not fields then
    fields = {}
    tableOfKeys[key] = fields
  end
  return fields
end

local i = 7
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
  if apply then
    for _ = 1, count do
      local op, key, field, argument = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
      if op == 'HINCRBY' then
        local fields = entry(increments, key)
        fields[field] = (fields[field] or 0) + tonumber(argument)
      elseif op == 'PAGE_HINCRBY' then
        -- key is a prefix; argument is the page it is completed with.
        key = key .. pageOf(argument)
        local fields = entry(increments, key)
        fields[field] = (fields[field] or 0) + 1
      elseif op == 'ZINCRBY' then
        local members = entry(sortedIncrements, key)
        members[field] = (members[field] or 0) + tonumber(argument)
      elseif op == 'HSETNX' then
        local fields = entry(firstValues, key)
        if fields[field] == nil then
          fields[field] = argument
        end
      elseif op == 'HMAX' then
        local fields = entry(maxima, key)
        if larger(argument, fields[field]) then
          fields[field] = argument
        end
      elseif op == 'HLATEST' then
        local fields = entry(latest, key)
        if later(argument, fields[field]) then
          fields[field] = argument
        end
      else
        entry(sketches, key)[field] = true
      end
      ttl[key] = ARGV[i + 4]
      i = i + 5
    end
    applied = applied + 1
  else
    i = i + 5 * count
  end
  if offset > last then
    last = offset
  end
end

for key, fields in pairs(increments) do
  for field, amount in pairs(fields) do
    redis.call('HINCRBY', key, field, amount)
  end
end
for key, members in pairs(sortedIncrements) do
  for member, amount in pairs(members) do
    redis.call('ZINCRBY', key, amount, member)
  end
end
for key, fields in pairs(firstValues) do
  for field, value in pairs(fields) do
    redis.call('HSETNX', key, field, value)
  end
end
local function keepBetter(tableOfKeys, better)
  for key, fields in pairs(tableOfKeys) do
    for field, value in pairs(fields) do
      if better(value, redis.call('HGET', key, field)) then
        redis.call('HSET', key, field, value)
      end
    end
  end
end
keepBetter(maxima, larger)
keepBetter(latest, later)
for key, members in pairs(sketches) do
  local batch = {}
  for member in pairs(members) do
    batch[#batch + 1] = member
    if #batch == 1000 then
      redis.call('PFADD', key, unpack(batch))
      batch = {}
    end
  end
  if #batch > 0 then
    redis.call('PFADD', key, unpack(batch))
  end
end
for key, seconds in pairs(ttl) do
  redis.call('EXPIRE', key, seconds)
end
redis.call('HSET', KEYS[1], ARGV[1], last)
redis.call('EXPIRE', KEYS[1], pagesTtl)
return applied
