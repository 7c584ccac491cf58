"""What the distributed mode keeps in Redis, and the reliable request queue on scrapy-redis.

scrapy-redis (pinned 0.9.1) gives the shared request queue, the shared dupefilter and RedisSpider's
start-URL feed. Its queue pops a request and forgets it, so a worker killed mid-crawl loses what it
had in flight (and the dupefilter keeps those URLs from ever being queued again). ReliableQueue moves
each popped request into a per-worker processing set in the same Lua step, and the request leaves it
only when its callback and the items it produced are done (see worker.AckRequests); the set of a
worker whose heartbeat stops goes back to the queue (requeue_dead_workers).

Keys (one Redis per deployment):
  hw:<source>:start_urls   list   start requests (and attachments to download again) pushed by `healthwatch run --redis` (JSON)
  hw:<source>:requests     zset   the shared request queue (scrapy-redis priority queue)
  hw:<source>:dupefilter   set    request fingerprints queued so far (scrapy-redis dupefilter)
  hw:<source>:processing:<worker>  zset  requests a worker has in flight
  hw:<source>:run          string the crawl_runs id of the source's current round
  hw:<source>:lists        set    list pages requested this round; hw:<source>:budget hash root -> pages left
  hw:processing            set    every processing key, for recovery
  hw:workers               hash   worker id -> JSON heartbeat
  hw:items / hw:items:processing  lists  items for the ingester / the batch it is writing
  hw:known                 set    url keys never to fetch again (stored or failed for good), kept by the ingester
  hw:validators            hash   url key -> JSON ETag/Last-Modified of complete list pages, kept by the ingester
  hw:deferred              zset   url key -> when a transiently failing page may be tried again, kept by the ingester
  hw:attachments           set    url keys of attachments stored and read (never to fetch again), kept by the ingester
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid

import redis
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

PREFIX = "hw"
ITEMS = f"{PREFIX}:items"
ITEMS_PROCESSING = f"{PREFIX}:items:processing"
KNOWN = f"{PREFIX}:known"
VALIDATORS = f"{PREFIX}:validators"
DEFERRED = f"{PREFIX}:deferred"
ATTACHMENTS = f"{PREFIX}:attachments"
WORKERS = f"{PREFIX}:workers"
PROCESSING_KEYS = f"{PREFIX}:processing"
DEAD_AFTER = 60.0  # seconds without a heartbeat after which a worker's in-flight requests are requeued


def key(source: str, what: str) -> str:
    return f"{PREFIX}:{source}:{what}"


def processing_key(source: str, worker_id: str) -> str:
    return f"{PREFIX}:{source}:processing:{worker_id}"


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# Pop the best request and keep it in the worker's processing set, atomically.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('ZADD', KEYS[2], top[2], top[1])
return top[1]
"""

# A processing set back into its queue (scores kept), then dropped.
_REQUEUE = """
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do redis.call('ZADD', KEYS[2], entries[i + 1], entries[i]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], KEYS[1])
return #entries / 2
"""


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue with acknowledged pops (the reliable-queue pattern)."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.processing = processing_key(spider.source.name, spider.worker_id)
        self._pop = server.register_script(_POP)
        server.sadd(PROCESSING_KEYS, self.processing)

    def push(self, request):
        # A retry, a redirect or the next page of an article replaces the request it came from:
        # queued again, the old one is settled in the same step.
        settled = request.meta.pop("_hw_ack", None)
        data = self._encode_request(request)
        with self.server.pipeline() as pipe:
            pipe.execute_command("ZADD", self.key, -request.priority, data)
            if settled:
                pipe.zrem(*settled)
            pipe.execute()

    def pop(self, timeout=0):
        data = self._pop(keys=[self.key, self.processing])
        if not data:
            return None
        request = self._decode_request(data)
        request.meta["_hw_ack"] = (self.processing, data)
        return request

    def in_flight(self) -> int:
        return self.server.zcard(self.processing)


class ReliableScheduler(Scheduler):
    """scrapy-redis's scheduler without its deprecated calls (Spider.log), whose close puts what
    this worker still had in flight back in the queue for the others."""

    def open(self, spider):
        self.spider = spider
        from scrapy.utils.misc import load_object

        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)

    def enqueue_request(self, request):
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason):
        requeue(self.server, self.queue.processing, self.queue.key)


def requeue(server: redis.Redis, processing: str, queue: str) -> int:
    return int(server.eval(_REQUEUE, 3, processing, queue, PROCESSING_KEYS))


def queue_of(processing: str) -> str:
    """hw:<source>:processing:<worker> -> hw:<source>:requests"""
    prefix, source, _, _ = processing.split(":", 3)
    return f"{prefix}:{source}:requests"


def worker_of(processing: str) -> str:
    return processing.split(":", 3)[3]


def heartbeat(server: redis.Redis, worker_id: str, info: dict) -> None:
    server.hset(WORKERS, worker_id, json.dumps({**info, "seen": time.time()}))


def workers(server: redis.Redis) -> dict[str, dict]:
    return {k.decode(): json.loads(v) for k, v in server.hgetall(WORKERS).items()}


def requeue_dead_workers(server: redis.Redis, dead_after: float = DEAD_AFTER, *, me: str | None = None) -> int:
    """Requests in flight on workers whose heartbeat stopped go back to their queues. Returns how many."""
    now, seen = time.time(), workers(server)
    moved = 0
    for raw in server.smembers(PROCESSING_KEYS):
        processing = raw.decode()
        owner = worker_of(processing)
        if owner == me:
            continue
        beat = seen.get(owner, {}).get("seen", 0)
        if now - beat > dead_after:
            moved += requeue(server, processing, queue_of(processing))
            if owner in seen and now - beat > dead_after:
                server.hdel(WORKERS, owner)
    return moved


def queue_lengths(server: redis.Redis, sources: list[str]) -> dict[str, dict]:
    """Per source: start requests waiting, requests queued, requests in flight."""
    flying: dict[str, int] = {}
    for raw in server.smembers(PROCESSING_KEYS):
        processing = raw.decode()
        source = processing.split(":", 3)[1]
        flying[source] = flying.get(source, 0) + server.zcard(processing)
    return {s: {"start": server.llen(key(s, "start_urls")), "queued": server.zcard(key(s, "requests")),
                "in_flight": flying.get(s, 0)} for s in sources}
