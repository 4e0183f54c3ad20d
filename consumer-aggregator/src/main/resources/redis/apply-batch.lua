-- Applies one project's part of one partition's batch atomically with that project's progress
-- marker for the partition. Every key carries the project's hash tag, so on Redis Cluster the
-- whole script runs on the node that owns the project.
--
-- KEYS declares every key the script touches but one, and a name no key takes, so that Redis
-- Cluster runs it only on the node that serves the project's slot and never while the slot moves
-- (ScriptKeys says why; the key left out is the hash of a page a full bucket evicts, which its
-- ranks name in Redis): KEYS[1]: the project's progress hash
-- (field per topic-partition: last applied offset; and that field with '^' appended: the highest
-- offset of the partition's batches it was written in, the project's records or others');
-- KEYS[2]: the project's dedup ring: the hash of which slice each slot holds, whose key plus
-- ":<slot>" names the slot's set of compact event ids (declared too); KEYS[3]: the hash of when
-- the project's day buckets began (MetricKeys.dayBuckets); KEYS[4]: the name no key takes
-- (MetricKeys.slotOf); the others are the updates' keys, the keys the script names after them,
-- and the hour buckets of the batch's first day.
-- ARGV[1]: partition field; ARGV[2]: slots in the ring; ARGV[3]: most ids a slot keeps; ARGV[4]:
-- the current slice; ARGV[5]: TTL seconds of the ring's keys; ARGV[6]: most pages an hour or a
-- day bucket keeps apart; ARGV[7]: most pages a minute bucket keeps apart; ARGV[8]: what every
-- key of the project's minute buckets begins with; ARGV[9]: most error groups and failing
-- requests a bucket names; ARGV[10]: TTL seconds of the progress hash (the longest bucket
-- retention: a marker unused that long guards no bucket that still exists); ARGV[11]: the name
-- shared by everything a bucket does not name; ARGV[12]: the suffix that makes an error groups
-- key its samples key; ARGV[13]: the suffix that makes a capped key its ranks key; ARGV[14]: what
-- every key of the project's hour buckets begins with; ARGV[15]: the field of KEYS[3], minus the
-- first day; ARGV[16]: the day buckets' retention in milliseconds, which the hours read in place
-- of days keep too (see "The first day" below); ARGV[17]: most error groups and failing requests
-- a minute bucket names (ARGV[9] is the hour and day buckets'); ARGV[18]: the highest offset of
-- the project's records in the batch; ARGV[19]: the time (epoch ms) that stands for Redis's in
-- deciding expiries, empty for Redis's own (tests replay set times); ARGV[20]: the highest offset
-- of the partition's batch, every project's records; ARGV[21]: 'reset:<marker>' when the
-- partition's log ends at or below the marker's reach (see below), else empty; ARGV[22]: how
-- many records follow, each as offset and compact id; then the records' updates, merged by the
-- aggregator (MergedUpdates), each as op, the index of its key in KEYS, field, value, page, and
-- when the key's life starts (epoch ms, -1 for at this write) and how long it is in ms
-- (MetricUpdate.lifeStartMillis).
--
-- A record at or below the marker was applied before (a redelivery or a replay); a record whose
-- id is in the ring is a client re-send. The updates are merged across the records, so they can
-- only be applied all together: if any record is one of those, nothing is written and the script
-- returns 'seen', the marker, its reach, how many of the records the marker passed the ring
-- remembers, and the positions (from 1) of such records, for the aggregator to merge the others
-- again and call once more. Otherwise it returns 'applied', how many records it
-- applied, how many of their ids the ring had no room to remember, and the marker it set aside
-- when called with 'reset' (else empty).
--
-- A marker whose reach (the highest offset of the partition's batches it was written in, which
-- in its log is always below the log's end) is at or beyond the end of its partition's log cannot
-- be of that log: its topic was deleted and made again under the same name (offsets start over).
-- Records below such a marker are new, and taking them for applied would lose them. When a batch
-- holds records at or below the marker and the ring remembers none of them (a redelivery of the
-- live log within the dedup window is remembered; a topic made again holds other events), the
-- aggregator compares the reach with where its consumer last saw the log end, and calls again
-- with 'reset:<marker>' when it ends there or before: the marker then counts as none, if it is
-- still the one compared (another consumer, a zombie of the last assignment, may have moved it
-- since). Both must agree, so a leader's end seen low for a moment after a failover does not set
-- aside a marker of the live log on its own.
--
-- A project's apikey is public, so whatever clients name (pages, error groups, failing requests)
-- is kept apart per bucket up to a cap, and the ring has a fixed room: a project's keys are
-- bounded by the caps, not by its traffic. Which names a full bucket keeps is decided by count,
-- not by arrival (see "Capped names" below), so a flood that starts a bucket cannot push the real
-- names that follow into the other name. Needs Redis 6.2 (SMISMEMBER).
--
-- Expiry. A bucket expires at its end plus its retention: the same instant whenever and by
-- whichever aggregator it is written, so no write shortens what another made, windows find a
-- bucket as long as the retention says after its end, and at most retention ÷ length + 1 buckets
-- of a resolution are alive. Redis's clock, not the aggregator's, says what is past: a bucket
-- already past its retention is not written at all (no window reads it), and one that starts
-- after now (a gateway's clock ahead) lives from now, as long as the current bucket at most.
-- TIME before writes needs effects replication, Redis 7's only mode and 6.2's default; asked for,
-- in case a 6.2 runs with lua-replicate-commands off.
redis.replicate_commands()
local clock = redis.call('TIME')
local redisNow = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local now = tonumber(ARGV[19]) or redisNow
-- A set time moves every expiry by its distance from Redis's clock, which is what expires keys.
local shift = redisNow - now
local marker = redis.call('HMGET', KEYS[1], ARGV[1], ARGV[1] .. '^')
local last = tonumber(marker[1] or '-1')
local reach = tonumber(marker[2] or '') or last
local batchEnd = tonumber(ARGV[20])
local setAside = ''
if ARGV[21] == 'reset:' .. string.format('%d', last) then
  last, reach, setAside = -1, -1, string.format('%d', last)
end
local ringKey, slots, idsPerSlot, slice, ringTtl = KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local hourPageLimit, minutePageLimit, minuteKeys = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local groupLimit, progressTtl, other, samplesSuffix, rankSuffix = tonumber(ARGV[9]), ARGV[10], ARGV[11], ARGV[12], ARGV[13]
local hourKeys, dayBuckets, firstDayField, dayRetention = ARGV[14], KEYS[3], ARGV[15], tonumber(ARGV[16])
local minuteGroupLimit = tonumber(ARGV[17])
local highest = tonumber(ARGV[18])
local records = tonumber(ARGV[22])
local firstUpdate = 23 + 2 * records
local UPDATE = 7
local DAY = 86400000
-- Each update's key, by its index in KEYS.
local keyOf = {}
for i = firstUpdate, #ARGV, UPDATE do
  keyOf[i] = KEYS[tonumber(ARGV[i + 1])]
end

local ids, seen, passed, remembered = {}, {}, {}, {}
for r = 1, records do
  ids[r] = ARGV[22 + 2 * r]
  passed[r] = tonumber(ARGV[21 + 2 * r]) <= last
  seen[r] = passed[r]
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
            remembered[first + offset - 1] = true
          end
        end
      end
    end
  end
end
-- How many of the records the marker passed the ring remembers: a redelivery of the live log
-- within the dedup window is there, the events of a topic made again are not.
local passedAndRemembered = 0
local seenBefore = {'seen', last, reach, 0}
for r = 1, records do
  if seen[r] then
    seenBefore[#seenBefore + 1] = r
  end
  if passed[r] and remembered[r] then
    passedAndRemembered = passedAndRemembered + 1
  end
end
seenBefore[4] = passedAndRemembered
if #seenBefore > 4 then
  return seenBefore
end

-- The first day of day buckets. A reader takes the days before the first whole one from their
-- hours (MetricsReader.firstWholeDay), since a version without day buckets may have counted part
-- of the first. It is recorded once, from the project's first batch (its earliest day still within
-- the day buckets' retention), and never moved: a record of an earlier day that comes later (a
-- partition lagging across midnight at the upgrade, a redriven dead letter keeping its received-
-- at) would otherwise have days the previous version counted read as whole from day buckets
-- that hold part of them. When no hour bucket of that day exists, nothing was counted that day
-- before: the record then says the day is whole (it names the day before), so that the day is
-- read from its day bucket and its hours need not outlive the hour retention. A record is
-- missing only after a month without events, when every hour bucket has expired too.
local firstDay = redis.call('HGET', dayBuckets, firstDayField)
if not firstDay then
  local earliest = nil
  for i = firstUpdate, #ARGV, UPDATE do
    if ARGV[i] == 'FIRST_DAY' then
      local day = -tonumber(ARGV[i + 3])
      if (day + 1) * DAY + dayRetention > now and (not earliest or day < earliest) then
        earliest = day
      end
    end
  end
  if earliest then
    local counted = false
    for hour = earliest * 24, earliest * 24 + 23 do
      if redis.call('EXISTS', hourKeys .. hour) == 1 then
        counted = true
        break
      end
    end
    firstDay = counted and -earliest or 1 - earliest
    redis.call('HSET', dayBuckets, firstDayField, firstDay)
  end
end
local firstWholeDay = firstDay and 1 - tonumber(firstDay)

-- When each update's key expires (epoch ms), or nil for a bucket already past its retention,
-- whose updates are left out. The hours of the days before the first whole one are what reads
-- those days, so they expire with their day's bucket, beyond the hour retention: only hours this
-- version writes of the first day and of days before it, so at most 24 hour buckets more for
-- each such day, and only in the month after a version without day buckets (or for a dead
-- letter of those days redriven).
local function expiresAt(start, life)
  if start < 0 or start > now then
    return now + life
  end
  return start + life
end
local at = {}
for i = firstUpdate, #ARGV, UPDATE do
  local key, time = keyOf[i], expiresAt(tonumber(ARGV[i + 5]), tonumber(ARGV[i + 6]))
  if firstWholeDay and string.sub(key, 1, #hourKeys) == hourKeys then
    local hour = tonumber(string.match(key, '^%d+', #hourKeys + 1))
    if hour and math.floor(hour / 24) < firstWholeDay then
      time = math.max(time, expiresAt(math.floor(hour / 24) * DAY, DAY + dayRetention))
    end
  end
  if time > now then
    at[i] = time
  end
end

-- expiry: when each key written expires, set once at the end; sketches: each sketch's members,
-- added in batches.
local expiry, sketches = {}, {}
local function expires(key, time)
  expiry[key] = math.max(expiry[key] or 0, time)
end

-- Capped names. Each bucket keeps apart at most a cap of pages (a hash of vitals each), and of
-- error groups and of failing requests (a member of their sorted set each). Beside the exact data,
-- a ranks sorted set (the capped key plus rankSuffix; for pages, the hashes' prefix without its
-- final colon) holds the names kept apart with Space-Saving estimates (Metwally et al.) of their
-- counts. A name not yet kept apart, arriving in a full bucket, takes the place of the name of
-- the lowest rank (ties by name, the sorted set's order), and that rank plus its own count. So a
-- newcomer ranks above the name it evicted, and is not the next to go while other names share
-- that rank; the ranks add up to everything the bucket counted of their kind, so the lowest is at
-- most that total over the cap, and a name counted more often than that is never evicted, however
-- many names were sent before or after it. The first-come rule this replaces let a flood at the
-- start of a bucket push every later name of it into the other name.
--
-- The exact data stays exact: the evicted name's joins the other name's (its count, or each field
-- of its hash) and its sample goes, so what a name shows counts it since it was (last) kept apart,
-- its earlier occurrences sit in the other name, and the names and the other name still add up to
-- the bucket's total. The other name is never ranked, so never evicted. Ranks are the bucket's,
-- so an earlier bucket's names hold no place in a later one.
--
-- Every name is admitted or evicted once per call, with its count over the whole batch, before
-- any update is applied: the updates of a name a later name of the same batch evicts then go to
-- the other name directly, and no hash or member is made only to be moved at once. A page counts
-- the increments its vitals make in its hash (one to three a measurement: its histogram bucket,
-- its rating and the SDK's, or its being invalid), a group or a request its occurrences.
--
-- A bucket begun by the previous version (first come, first kept, no ranks) keeps the names it
-- gave until it ages out; its caps then count only the names given since.
local capped, cappedOrder = {}, {}

local function cappedOf(key, rank, limit, time, pages)
  local entry = capped[key]
  if not entry then
    entry = {rank = rank, limit = limit, at = time, pages = pages, names = {}, counts = {}, kept = {}}
    capped[key] = entry
    cappedOrder[#cappedOrder + 1] = key
  end
  return entry
end

local function count(entry, name, value)
  if name == other then
    return
  end
  if not entry.counts[name] then
    entry.names[#entry.names + 1] = name
    entry.counts[name] = 0
  end
  entry.counts[name] = entry.counts[name] + tonumber(value)
end

-- A page's key is its hash's prefix; a group's, its sorted set.
local function pagesOf(prefix, time)
  local limit = hourPageLimit
  if string.sub(prefix, 1, #minuteKeys) == minuteKeys then
    limit = minutePageLimit
  end
  return cappedOf(prefix, string.sub(prefix, 1, -2) .. rankSuffix, limit, time, true)
end

local function groupsOf(key, time)
  local limit = groupLimit
  if string.sub(key, 1, #minuteKeys) == minuteKeys then
    limit = minuteGroupLimit
  end
  return cappedOf(key, key .. rankSuffix, limit, time, false)
end

-- The evicted name's exact data joins the other name's, so the bucket's totals still add up. A
-- page's hash has a bounded number of fields (485: its histograms are on a coarse scale, see
-- EventCounts.MAX_PAGE_FIELDS), which bounds what one eviction costs inside the script; with
-- fine histograms one took up to 8,000 HINCRBYs.
local function release(key, name)
  if capped[key].pages then
    local hash = key .. name
    local fields = redis.call('HGETALL', hash)
    for f = 1, #fields, 2 do
      redis.call('HINCRBY', key .. other, fields[f], fields[f + 1])
    end
    if #fields > 0 then
      redis.call('DEL', hash)
      expires(key .. other, capped[key].at)
    end
  else
    local counted = redis.call('ZSCORE', key, name)
    if counted then
      redis.call('ZINCRBY', key, counted, other)
      redis.call('ZREM', key, name)
    end
    -- Failing requests have no samples: deleting from a key that does not exist costs nothing.
    redis.call('HDEL', key .. samplesSuffix, name)
  end
end

for i = firstUpdate, #ARGV, UPDATE do
  local op = ARGV[i]
  if not at[i] then
    -- past its retention: not counted anywhere
  elseif op == 'PAGE_HINCRBY' then
    count(pagesOf(keyOf[i], at[i]), ARGV[i + 4], ARGV[i + 3])
  elseif op == 'ZINCRBY' then
    count(groupsOf(keyOf[i], at[i]), ARGV[i + 2], ARGV[i + 3])
  end
end

for _, key in ipairs(cappedOrder) do
  local entry = capped[key]
  local size = redis.call('ZCARD', entry.rank)
  for _, name in ipairs(entry.names) do
    local counted = entry.counts[name]
    if redis.call('ZADD', entry.rank, 'XX', 'INCR', counted, name) then
      entry.kept[name] = true
    elseif size < entry.limit then
      redis.call('ZADD', entry.rank, counted, name)
      size = size + 1
      entry.kept[name] = true
    else
      local lowest = redis.call('ZRANGE', entry.rank, 0, 0, 'WITHSCORES')
      if #lowest == 2 then
        redis.call('ZREM', entry.rank, lowest[1])
        release(key, lowest[1])
        entry.kept[lowest[1]] = nil
        redis.call('ZADD', entry.rank, tonumber(lowest[2]) + counted, name)
        entry.kept[name] = true
      end
    end
  end
  expires(entry.rank, entry.at)
end

-- What a capped update's name is once every name of the batch was admitted or evicted.
local function nameIn(key, name)
  if capped[key].kept[name] then
    return name
  end
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
for i = firstUpdate, #ARGV, UPDATE do
  local op, key, field, value, page = ARGV[i], keyOf[i], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if not at[i] then
    -- past its retention: left out
  elseif op == 'HINCRBY' then
    redis.call('HINCRBY', key, field, value)
  elseif op == 'PAGE_HINCRBY' then
    key = key .. nameIn(key, page)
    redis.call('HINCRBY', key, field, value)
  elseif op == 'ZINCRBY' then
    redis.call('ZINCRBY', key, value, nameIn(key, field))
  elseif op == 'SAMPLE' then
    samples[#samples + 1] = i
  elseif op == 'HMAX' then
    keepBetter(key, field, value, larger)
  elseif op == 'HLATEST' then
    keepBetter(key, field, value, later)
  elseif op == 'FIRST_DAY' then
    -- recorded above, once
  else
    local members = sketches[key]
    if not members then
      members = {}
      sketches[key] = members
    end
    members[#members + 1] = field
  end
  if at[i] then
    expires(key, at[i])
  end
end
-- A group's sample is kept only while its bucket names the group, so samples are as capped as
-- the groups and a named group always has one; the other name stands for many groups, so has none.
for _, i in ipairs(samples) do
  local key, field = keyOf[i], ARGV[i + 2]
  if field ~= other and redis.call('ZSCORE', string.sub(key, 1, -#samplesSuffix - 1), field) then
    redis.call('HSETNX', key, field, ARGV[i + 3])
  end
end
for key, members in pairs(sketches) do
  for first = 1, #members, 1000 do
    redis.call('PFADD', key, unpack(members, first, math.min(first + 999, #members)))
  end
end
for key, time in pairs(expiry) do
  redis.call('PEXPIREAT', key, string.format('%.0f', time + shift))
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
if batchEnd > reach then
  redis.call('HSET', KEYS[1], ARGV[1] .. '^', batchEnd)
end
-- Always a write, even when nothing else was: a WAIT after this script then covers everything
-- written on this node before it, an earlier try of the batch included (RedisMetricsStore).
redis.call('EXPIRE', KEYS[1], progressTtl)
return {'applied', records, unremembered, setAside}
