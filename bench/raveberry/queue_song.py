# Makes a song votable in Raveberry without internet, run as `manage.py shell < queue_song.py` in the
# installed package folder (DJANGO_DEBUG=1, REDIS_PORT of the running instance), while it runs.
#
# Raveberry's request pipeline needs a music platform: YouTube/Spotify/... need internet and the local
# platform needs a library configured by an admin (scan-library) plus real files. The vote endpoint only
# needs a QueuedSong row, so this script writes the rows directly through Django's ORM, the same way
# SongQueue.enqueue does (index = last + 1), then wakes the playback loop through Redis:
#
#   - "bench filler" (1 h, confirmed): the playback loop dequeues it and "plays" it (fake player, no
#     mopidy), so the queue below is what a party looks like: one song playing, one waiting;
#   - "bench target" (1 h, confirmed), the song to vote on; its votes start at BENCH_START_VOTES (1000)
#     so that concurrent +1/-1 votes can never reach -downvotes_to_kick and remove it.
#
# It also creates BENCH_SESSIONS Django sessions (one per voter: Raveberry's `tracked` decorator saves a
# new session row for every request that comes without one) and makes sure `ip_checking` is off (its
# default): with it on, Raveberry allows one net vote per client IP and song, so every voter on
# 127.0.0.1 after the first would get 400 "nice try".
#
# Prints one line: BENCH {"key": <QueuedSong id>, "filler": <id>, "sessions": [...], ...}
import json
import os

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from core import models
from core import redis as rb_redis
from core.settings import storage

sessions_wanted = int(os.environ.get("BENCH_SESSIONS", "50"))
start_votes = int(os.environ.get("BENCH_START_VOTES", "1000"))
hour = 3600.0

ip_checking_was = storage.get("ip_checking")
if ip_checking_was:
    storage.put("ip_checking", False)


def enqueue(title):
    last = models.QueuedSong.objects.last()
    index = 1 if last is None else last.index + 1
    return models.QueuedSong.objects.create(
        index=index,
        manually_requested=True,
        votes=1,
        internal_url=f"local_library/bench/{title}.mp3",
        external_url=f"local_library/bench/{title}.mp3",
        stream_url=None,
        artist="Ravebox bench",
        title=title,
        duration=hour,
    )


filler = None
if not models.CurrentSong.objects.exists() and not models.QueuedSong.objects.exists():
    filler = enqueue("bench filler")
target = enqueue("bench target")
target.votes = start_votes
target.save()

Session.objects.all().delete()
sessions = []
for _ in range(sessions_wanted):
    session = SessionStore()
    session.create()
    sessions.append(session.session_key)

# playback.queue_changed.set(): a Redis publish the playback loop is subscribed to.
rb_redis.connection.publish("queue_changed", "")

print(
    "BENCH "
    + json.dumps(
        {
            "key": target.id,
            "filler": filler.id if filler else None,
            "start_votes": start_votes,
            "ip_checking_was": bool(ip_checking_was),
            "interactivity": storage.get("interactivity"),
            "downvotes_to_kick": storage.get("downvotes_to_kick"),
            "sessions": sessions,
        }
    )
)
