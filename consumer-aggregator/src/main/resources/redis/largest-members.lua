-- The members of the largest scores summed over sorted sets (a window's buckets of one kind), for a
-- top list: only the top ones go back to the reader, however many members the buckets hold.
-- Reads only, so it runs where writes are refused (a Redis at maxmemory under noeviction, a
-- read-only user or replica), which ZUNIONSTORE into a scratch key did not. Every key carries the
-- project's hash tag, so on Redis Cluster it runs on the node that owns the project.
--
-- KEYS: the sorted sets; ARGV[1]: how many members to return.
-- Returns member, sum, member, sum... largest first, ties by member (byte order, as Redis sorts).
local limit = tonumber(ARGV[1])
local sums, members = {}, {}
for _, key in ipairs(KEYS) do
  local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for i = 1, #entries, 2 do
    local member = entries[i]
    if not sums[member] then
      members[#members + 1] = member
      sums[member] = 0
    end
    sums[member] = sums[member] + tonumber(entries[i + 1])
  end
end

local function before(a, b)
  if sums[a] ~= sums[b] then
    return sums[a] > sums[b]
  end
  return a < b
end

-- A selection of the top ones rather than a sort of all: the list stays at most limit long, and
-- a member enters it only if it goes before the last one.
local top = {}
for _, member in ipairs(members) do
  if #top < limit or before(member, top[#top]) then
    local at = #top + 1
    while at > 1 and before(member, top[at - 1]) do
      at = at - 1
    end
    table.insert(top, at, member)
    if #top > limit then
      top[#top] = nil
    end
  end
end

local reply = {}
for _, member in ipairs(top) do
  reply[#reply + 1] = member
  reply[#reply + 1] = string.format('%.0f', sums[member])
end
return reply
