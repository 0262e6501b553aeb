"""Commit order: a reader following ``read_all`` while many writers commit never skips an event.

A storage that numbers events when they are inserted, not in the order they commit, lets a
slow transaction take position 7, a quick one take 8 and commit first; a reader that saw 8
moves past 7 for good when it commits. ``follow_while_writing`` provokes exactly that race
and reports what the follower missed; ``CommitOrderContract`` asserts it missed nothing, and
``StorageContract`` includes it, so every storage runs it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from attrs import frozen

from walletcare.ports import Commit, Storage, StoredEvent
from walletcare.testing.records import new_event

__all__ = ["FollowReport", "follow_while_writing", "CommitOrderContract"]


@frozen(kw_only=True)
class FollowReport:
    """What a follower saw of the log that concurrent writers built."""

    written: int
    seen: int
    skipped: tuple[StoredEvent, ...]
    backwards: int


def _run_all(targets: list[Callable[[], None]]) -> None:
    """Run each target on its own thread and re-raise the first failure here."""
    failures: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:
                failures.append(exc)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def follow_while_writing(
    storage: Storage,
    *,
    writers: int = 8,
    commits: int = 25,
    events_per_commit: int = 2,
    page: int = 5,
) -> FollowReport:
    """Follow ``read_all`` on a thread of its own while ``writers`` threads commit at once.

    Each writer appends ``commits`` commits of ``events_per_commit`` events to a stream of its
    own, so none of them ever conflicts. The follower reads ``page`` events at a time after the
    last position it saw, as a projection would, and never looks back; when the writers are
    done it reads to the end. The storage must start empty.
    """
    start = threading.Barrier(writers + 1)
    done = threading.Event()
    seen: list[StoredEvent] = []
    backwards = 0

    def write(stream_id: str) -> Callable[[], None]:
        def run() -> None:
            start.wait()
            for n in range(commits):
                storage.append(
                    Commit(
                        stream_id=stream_id,
                        expected_version=n * events_per_commit,
                        events=[new_event(i) for i in range(events_per_commit)],
                    )
                )

        return run

    def follow() -> None:
        nonlocal backwards
        last = 0
        start.wait()
        while True:
            finished = done.is_set()  # read before the page: a page read after it is final
            found = storage.read_all(last, limit=page)
            for event in found:
                if event.position <= last:
                    backwards += 1
                seen.append(event)
                last = max(last, event.position)
            if finished and not found:
                return

    def write_all() -> None:
        try:
            _run_all([write(f"follow-{w}") for w in range(writers)])
        finally:
            done.set()

    _run_all([write_all, follow])
    log = storage.read_all(0, limit=writers * commits * events_per_commit + 1)
    seen_keys = {(e.stream_id, e.stream_version) for e in seen}
    return FollowReport(
        written=len(log),
        seen=len(seen),
        skipped=tuple(e for e in log if (e.stream_id, e.stream_version) not in seen_keys),
        backwards=backwards,
    )


class CommitOrderContract:
    """The commit-order part of the storage contract (``StorageContract`` includes it)."""

    follow_writers = 8
    follow_commits = 25

    def test_read_all_follower_never_skips_a_late_commit(self, storage: Storage) -> None:
        """A reader following read_all during many concurrent commits sees every event once."""
        report = follow_while_writing(
            storage, writers=self.follow_writers, commits=self.follow_commits
        )
        assert report.written == self.follow_writers * self.follow_commits * 2
        assert report.skipped == ()
        assert report.seen == report.written
        assert report.backwards == 0
