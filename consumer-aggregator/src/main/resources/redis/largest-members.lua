-- The members of the largest scores summed over sorted sets (a window's buckets of one kind), for a
-- top list: only the top ones go back to the reader, however many members the buckets hold.
-- Reads only, so it runs where writes are refused (a Redis at maxmemory under noeviction, a
-- read-only user or replica), which ZUNIONSTORE into a scratch key did not. Every key carries the
-- project's hash tag, so on Redis Cluster it runs on the node that owns the project.
--
-- KEYS: the sorted sets; ARGV[1]: how many members to return.
-- Returns member, sum, member, sum... largest first, ties by member (Lua's string order: byte
-- order under the C locale redis-server normally runs in).
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

-- A heap of the top ones rather than a sort of all: it holds at most limit members, the one that
-- goes last at its root, and a member enters only if it goes before that one, so the work is
-- members × log(limit) whatever order they come in (a sorted insertion was members × limit when
-- every member beat the last: 325 ms of a blocked Redis for 85 full buckets, measured in review).
local heap = {}

local function after(a, b)
  return before(b, a)
end

local function up(i)
  while i > 1 do
    local parent = math.floor(i / 2)
    if not after(heap[i], heap[parent]) then
      return
    end
    heap[i], heap[parent] = heap[parent], heap[i]
    i = parent
  end
end

local function down(i)
  local n = #heap
  while true do
    local last, left, right = i, 2 * i, 2 * i + 1
    if left <= n and after(heap[left], heap[last]) then
      last = left
    end
    if right <= n and after(heap[right], heap[last]) then
      last = right
    end
    if last == i then
      return
    end
    heap[i], heap[last] = heap[last], heap[i]
    i = last
  end
end

for _, member in ipairs(members) do
  if #heap < limit then
    heap[#heap + 1] = member
    up(#heap)
  elseif before(member, heap[1]) then
    heap[1] = member
    down(1)
  end
end
table.sort(heap, before)
local top = heap

local reply = {}
for _, member in ipairs(top) do
  reply[#reply + 1] = member
  reply[#reply + 1] = string.format('%.0f', sums[member])
end
return reply
