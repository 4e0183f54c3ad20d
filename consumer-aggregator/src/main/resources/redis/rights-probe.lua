-- The aggregator's write probe (RedisOutages.takesWrites), asked at start-up and before records
-- that failed alone are dead-lettered: every command the aggregator sends Redis, in its scripts
-- and in the metrics API's reads, once on probe keys of its own, so that an ACL lacking one is
-- named at start-up instead of failing every batch. RedisOutagesTest checks that each command of
-- apply-batch.lua and largest-members.lua is here.
--
-- KEYS[1]: a hash, left with an expiry (MetricKeys.writeProbe); KEYS[2], KEYS[3], KEYS[4]: a
-- sorted set, a set and a HyperLogLog, deleted again; ARGV[1]: the hash's expiry in seconds.
-- Returns the commands refused for want of a right, each followed by Redis's message (empty when
-- none is); any other error (out of memory, read-only, unable to persist) is the script's error.
redis.replicate_commands()
local hash, zset, set, hll, ttl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], tonumber(ARGV[1])
local refused, failure = {}, nil

-- Redis 7 says NOPERM; 6.2 says the script's user can't run the command or access the key.
local function denied(err)
  return string.find(err, 'NOPERM', 1, true) or string.find(err, "can't run this command", 1, true)
      or string.find(err, "can't access", 1, true)
end

local function call(command, ...)
  if failure then
    return nil
  end
  local reply = redis.pcall(command, ...)
  if type(reply) == 'table' and reply.err then
    if denied(reply.err) then
      refused[#refused + 1] = command
      refused[#refused + 1] = reply.err
    else
      failure = reply.err
    end
    return nil
  end
  return reply
end

call('PING')
local clock = call('TIME')
local later = clock and (tonumber(clock[1]) + ttl) * 1000 or 0
call('HSET', hash, 'at', later)
call('EXPIRE', hash, ttl)
call('HSETNX', hash, 'first', later)
call('HINCRBY', hash, 'count', 1)
call('HGET', hash, 'at')
call('HMGET', hash, 'at', 'first')
call('HGETALL', hash)
call('HDEL', hash, 'count')
call('EXISTS', hash)
call('ZADD', zset, 1, 'probe')
call('PEXPIREAT', zset, later)
call('ZINCRBY', zset, 1, 'probe')
call('ZSCORE', zset, 'probe')
call('ZMSCORE', zset, 'probe')
call('ZRANGE', zset, 0, 0)
call('ZCARD', zset)
call('ZREM', zset, 'probe')
call('SADD', set, 'probe')
call('PEXPIREAT', set, later)
call('SCARD', set)
call('SMISMEMBER', set, 'probe')
call('PFADD', hll, 'probe')
call('PEXPIREAT', hll, later)
call('PFCOUNT', hll)
call('DEL', zset, set, hll)
if failure then
  return redis.error_reply(failure)
end
return refused
