-- Applies one project's part of one partition's batch atomically with that project's progress
-- marker for the partition. Every key carries the project's hash tag, so on Redis Cluster the
-- whole script runs on the node that owns the project.
--
-- KEYS[1]: the project's progress hash (field per topic-partition: last applied offset)
-- ARGV[1]: partition field;
-- ARGV[2]: the project's dedup ring: the hash of which slice each slot holds, whose key plus
-- ":<slot>" names the slot's set of compact event ids; ARGV[3]: slots in the ring; ARGV[4]: most
-- ids a slot keeps; ARGV[5]: the current slice; ARGV[6]: TTL seconds of the ring's keys;
-- ARGV[7]: most pages a bucket keeps apart; ARGV[8]: most error groups and failing requests a
-- bucket names; ARGV[9]: TTL seconds of the progress hash (the longest bucket retention: a marker
-- unused that long guards no bucket that still exists); ARGV[10]: the name shared by everything
-- beyond a cap; ARGV[11]: the suffix that makes an error groups key its samples key;
-- ARGV[12]: the highest offset of the project's records in the batch; ARGV[13]: how many records
-- follow, each as offset and compact id; then the records' updates, merged by the aggregator
-- (MergedUpdates), each as op, key, field, value, page, ttl.
--
-- A record at or below the marker was applied before (a redelivery or a replay); a record whose
-- id is in the ring is a client re-send. The updates are merged across the records, so they can
-- only be applied all together: if any record is one of those, nothing is written and the script
-- returns 'seen' and the positions (from 1) of such records, for the aggregator to merge the
-- others again and call once more. Otherwise it returns 'applied', how many records it applied,
-- and how many of their ids the ring had no room to remember.
--
-- A project's apikey is public, so whatever clients name (pages, error groups, failing requests)
-- is kept apart per bucket up to a cap, first come first kept, and the ring has a fixed room: a
-- project's keys are bounded by the caps, not by its traffic. Needs Redis 6.2 (SMISMEMBER).
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local ringKey, slots, idsPerSlot, slice, ringTtl = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local pageLimit, groupLimit, progressTtl, other, samplesSuffix = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9], ARGV[10], ARGV[11]
local highest = tonumber(ARGV[12])
local records = tonumber(ARGV[13])
local firstUpdate = 14 + 2 * records

local ids, seen = {}, {}
for r = 1, records do
  ids[r] = ARGV[13 + 2 * r]
  seen[r] = tonumber(ARGV[12 + 2 * r]) <= last
end

-- A slot counts while it holds one of the ring's latest slices; an older one is cleared when its
-- slot is next written to.
local slotNames = {}
for slot = 0, slots - 1 do
  slotNames[slot + 1] = tostring(slot)
end
local held = redis.call('HMGET', ringKey, unpack(slotNames))
if records > 0 then
  for slot = 0, slots - 1 do
    local slotSlice = tonumber(held[slot + 1])
    if slotSlice and slotSlice > slice - slots then
      for first = 1, records, 1000 do
        local found = redis.call('SMISMEMBER', ringKey .. ':' .. slot, unpack(ids, first, math.min(first + 999, records)))
        for offset = 1, #found do
          if found[offset] == 1 then
            seen[first + offset - 1] = true
          end
        end
      end
    end
  end
end
local seenBefore = {'seen'}
for r = 1, records do
  if seen[r] then
    seenBefore[#seenBefore + 1] = r
  end
end
if #seenBefore > 1 then
  return seenBefore
end

-- ttl: each key's TTL, set once at the end; sketches: each sketch's members, added in batches.
local ttl, sketches = {}, {}

-- A page gets histograms of its own in a bucket while the bucket has fewer than pageLimit pages;
-- later pages share the other page, so hostile or generated URLs cannot grow Redis without
-- bound, and since the set of pages is the bucket's, junk of an earlier bucket holds no place in
-- a later one. The set is the page hashes' prefix without its final colon.
local admitted = {}
local function pageOf(prefix, page, seconds)
  local pages = string.sub(prefix, 1, -2)
  local known = admitted[pages]
  if not known then
    known = {}
    admitted[pages] = known
  end
  if known[page] == nil then
    known[page] = redis.call('SISMEMBER', pages, page) == 1
        or (redis.call('SCARD', pages) < pageLimit and redis.call('SADD', pages, page) == 1)
    ttl[pages] = seconds
  end
  if known[page] then
    return page
  end
  return other
end

-- A sorted set of groups (error fingerprints, failing requests) names its first groupLimit
-- members; later ones are counted as the other member, so the counts still add up.
local named = {}
local function memberOf(key, member)
  if redis.call('ZSCORE', key, member) then
    return member
  end
  local size = named[key]
  if size == nil then
    size = redis.call('ZCARD', key)
    if redis.call('ZSCORE', key, other) then
      size = size - 1
    end
  end
  if size < groupLimit then
    named[key] = size + 1
    return member
  end
  named[key] = size
  return other
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

-- samples: positions of the SAMPLE updates, applied once every group has been counted.
local samples = {}
for i = firstUpdate, #ARGV, 6 do
  local op, key, field, value, page = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if op == 'HINCRBY' then
    redis.call('HINCRBY', key, field, value)
  elseif op == 'PAGE_HINCRBY' then
    key = key .. pageOf(key, page, ARGV[i + 5])
    redis.call('HINCRBY', key, field, value)
  elseif op == 'ZINCRBY' then
    redis.call('ZINCRBY', key, value, memberOf(key, field))
  elseif op == 'SAMPLE' then
    samples[#samples + 1] = i
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
-- A group's sample is kept only while its bucket names the group, so samples are as capped as
-- the groups and a named group always has one.
for _, i in ipairs(samples) do
  local key, field = ARGV[i + 1], ARGV[i + 2]
  if redis.call('ZSCORE', string.sub(key, 1, -#samplesSuffix - 1), field) then
    redis.call('HSETNX', key, field, ARGV[i + 3])
  end
end
for key, members in pairs(sketches) do
  for first = 1, #members, 1000 do
    redis.call('PFADD', key, unpack(members, first, math.min(first + 999, #members)))
  end
end
for key, seconds in pairs(ttl) do
  redis.call('EXPIRE', key, seconds)
end

-- Remember the records' ids in the current slice's slot, taking the slot over from the slice
-- it held before; ids beyond the slot's room are not remembered, and said so.
local unremembered = 0
if records > 0 then
  local slot = slice % slots
  local slotKey = ringKey .. ':' .. slot
  local slotSlice = tonumber(held[slot + 1])
  if not slotSlice or slotSlice < slice then
    redis.call('DEL', slotKey)
    redis.call('HSET', ringKey, slot, slice)
    slotSlice = slice
  end
  local kept = 0
  if slotSlice == slice then
    kept = math.max(0, math.min(records, idsPerSlot - redis.call('SCARD', slotKey)))
    for first = 1, kept, 1000 do
      redis.call('SADD', slotKey, unpack(ids, first, math.min(first + 999, kept)))
    end
    redis.call('EXPIRE', slotKey, ringTtl)
  end
  unremembered = records - kept
  redis.call('EXPIRE', ringKey, ringTtl)
end

if highest > last then
  redis.call('HSET', KEYS[1], ARGV[1], highest)
end
redis.call('EXPIRE', KEYS[1], progressTtl)
return {'applied', records, unremembered}
