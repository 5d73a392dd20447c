"""The outbox's state changes, as tables on a real SQLite file (SPEC "Alerts": kept until
confirmed, never lost, never repeated): pending -> sending -> sent, back to pending, dead,
collapsed; retry times (backoff with seeded jitter, Retry-After); what is due, in what order.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest

from bot.store.channels import stop_channel
from bot.store.db import Store
from bot.store.outbox import (
    Delivery,
    add_alert,
    add_notice,
    backlogged_channels,
    collapse_backlog,
    depth,
    due,
    mark_dead,
    mark_sending_many,
    mark_sent_many,
    recover_interrupted,
    release,
    retry_later,
)
from tests.pipeline_helpers import NOW

Step = Callable[[Store, Delivery], None]


@pytest.fixture
def db(any_store: Store) -> Store:
    """Three channels on an empty store, SQLite or PostgreSQL (each test runs on both)."""
    for target in ("slack:C1", "slack:C2", "discord:3"):
        any_store.execute("INSERT INTO channels (target) VALUES (?)", [target])
    return any_store


def row(db: Store, delivery_id: int) -> dict[str, object]:
    cursor = db.execute(
        "SELECT status, attempts, last_error, sent_at, ambiguous FROM deliveries WHERE id = ?",
        [delivery_id],
    )
    names = [column[0] for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def only(db: Store, now: float = NOW) -> Delivery:
    [delivery] = due(db, now)
    return delivery


def texts(deliveries: list[Delivery]) -> list[str]:
    return [json.loads(d.payload or "{}")["text"] for d in deliveries]


def sending(db: Store, d: Delivery) -> None:
    mark_sending_many(db, [d])


def sent(db: Store, d: Delivery) -> None:
    mark_sent_many(db, [d], NOW + 1)


def failed(db: Store, d: Delivery) -> None:
    retry_later(db, d, now=NOW, reason="HTTP 503", retry_after=None, rng=random.Random(1))


def dead(db: Store, d: Delivery) -> None:
    mark_dead(db, d, "channel_not_found")


def released(db: Store, d: Delivery) -> None:
    release(db, d)


def restarted(db: Store, d: Delivery) -> None:
    recover_interrupted(db)


def failed_clearly(db: Store, d: Delivery) -> None:
    retry_later(
        db, d, now=NOW, reason="HTTP 500", retry_after=None, rng=random.Random(1), ambiguous=False
    )


PENDING = {"status": "pending", "attempts": 0, "last_error": None, "sent_at": None}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ([sending], {**PENDING, "status": "sending"}),
        ([sending, sent], {**PENDING, "status": "sent", "attempts": 1, "sent_at": NOW + 1}),
        ([sending, failed], {**PENDING, "attempts": 1, "last_error": "HTTP 503"}),
        (  # a send that succeeds after a failure no longer shows the failure
            [sending, failed, sending, sent],
            {**PENDING, "status": "sent", "attempts": 2, "sent_at": NOW + 1},
        ),
        (
            [sending, dead],
            {**PENDING, "status": "dead", "attempts": 1, "last_error": "channel_not_found"},
        ),
        ([sending, released], PENDING),  # its destination was stopped, not the message
        ([sending, restarted], {**PENDING, "ambiguous": 1}),  # cut off mid-send
        (
            [sending, restarted, sending, failed_clearly],
            {**PENDING, "attempts": 1, "last_error": "HTTP 500", "ambiguous": 1},
        ),
    ],
    ids=lambda v: "-".join(s.__name__ for s in v) if isinstance(v, list) else "",
)
def test_each_outbox_step_leaves_the_row_in_its_state(
    db: Store, steps: list[Step], expected: dict[str, object]
) -> None:
    add_notice(db, 1, "a", NOW)
    delivery = only(db)
    for step in steps:
        step(db, delivery)
    assert row(db, delivery.id) == {"ambiguous": 0, **expected}


def test_every_row_of_a_large_batch_is_marked_sending_then_sent(
    db: Store,
) -> None:
    for n in range(1001):
        add_notice(db, 1, str(n), NOW)
    batch = due(db, NOW, limit=2000)
    mark_sending_many(db, batch)
    assert db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall() == [
        ("sending", 1001)
    ]
    mark_sent_many(db, batch, NOW)
    assert db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall() == [
        ("sent", 1001)
    ]


def test_depth_counts_rows_pending_and_rows_sending_since_the_oldest(
    db: Store,
) -> None:
    add_notice(db, 1, "a", NOW - 50)
    add_notice(db, 1, "b", NOW - 10)
    add_notice(db, 2, "c", NOW)
    first, _second, third = due(db, NOW)
    mark_sending_many(db, [first])
    mark_sent_many(db, [third], NOW)
    assert depth(db) == (2, NOW - 50)


# ---------------------------------------------------------------- retry times


@pytest.mark.parametrize(
    ("attempts", "base"),
    [
        (0, 5.0),
        (1, 10.0),
        (2, 20.0),
        (3, 40.0),
        (5, 160.0),
        (9, 2560.0),
        (10, 3600.0),
        (30, 3600.0),
    ],
)
def test_backoff_doubles_from_5s_to_an_hour_scaled_by_the_seeded_jitter(
    db: Store, attempts: int, base: float
) -> None:
    add_notice(db, 1, "a", NOW)
    delivery = only(db)
    db.execute("UPDATE deliveries SET attempts = ? WHERE id = ?", [attempts, delivery.id])
    delivery = only(db)
    delay = retry_later(
        db, delivery, now=NOW, reason="HTTP 503", retry_after=None, rng=random.Random(7)
    )
    assert delay == pytest.approx(base * random.Random(7).uniform(0.8, 1.2))


def test_jitter_spreads_retries_within_a_fifth_either_side(db: Store) -> None:
    add_notice(db, 1, "a", NOW)
    delivery = only(db)
    delays = [
        retry_later(db, delivery, now=NOW, reason="x", retry_after=None, rng=random.Random(seed))
        for seed in range(200)
    ]
    assert all(4.0 <= delay <= 6.0 for delay in delays)
    assert max(delays) - min(delays) > 1.5  # spread, not one fixed delay


@pytest.mark.parametrize(
    ("attempts", "retry_after", "expected"),
    [
        (0, 120.0, 120.0),  # Retry-After longer than the backoff: it wins
        (3, 120.0, 120.0),
        (10, 120.0, None),  # the backoff (an hour, jittered) is longer: it stays
        (5, 1.0, None),
        (0, 1_000_000.0, 3600.0),  # never more than an hour
    ],
)
def test_retry_after_wins_when_longer_than_the_backoff_and_is_capped_at_an_hour(
    db: Store, attempts: int, retry_after: float, expected: float | None
) -> None:
    add_notice(db, 1, "a", NOW)
    db.execute("UPDATE deliveries SET attempts = ?", [attempts])
    delivery = only(db)
    delay = retry_later(
        db, delivery, now=NOW, reason="HTTP 429", retry_after=retry_after, rng=random.Random(3)
    )
    backoff = min(5.0 * 2.0**attempts, 3600.0) * random.Random(3).uniform(0.8, 1.2)
    assert delay == pytest.approx(backoff if expected is None else expected)


def test_a_retried_row_is_due_at_its_retry_time_and_not_before(
    db: Store,
) -> None:
    queue = "abc"
    for name in queue:
        add_notice(db, 1, name, NOW)
    first = due(db, NOW)[0]
    delay = retry_later(
        db, first, now=NOW, reason="HTTP 503", retry_after=30.0, rng=random.Random(0)
    )
    assert texts(due(db, NOW + delay - 0.5)) == []  # held: nothing overtakes a
    assert texts(due(db, NOW + delay)) == ["a", "b", "c"]


# ---------------------------------------------------------------- what is due, in what order


def test_due_rows_come_oldest_first_across_channels(db: Store) -> None:
    for channel, name in [(1, "a"), (2, "b"), (1, "c"), (3, "d"), (2, "e")]:
        add_notice(db, channel, name, NOW)
    assert texts(due(db, NOW)) == ["a", "b", "c", "d", "e"]


def test_due_by_channel_gives_each_channels_rows_together_in_order(
    db: Store,
) -> None:
    for channel, name in [(2, "a"), (1, "b"), (2, "c"), (1, "d")]:
        add_notice(db, channel, name, NOW)
    assert texts(due(db, NOW, by_channel=True)) == ["b", "d", "a", "c"]


def test_due_returns_at_most_the_limit_oldest_first(db: Store) -> None:
    for name in "abcd":
        add_notice(db, 1, name, NOW)
    assert texts(due(db, NOW, limit=2)) == ["a", "b"]


def test_a_stopped_channel_has_nothing_due_and_others_still_do(
    db: Store,
) -> None:
    add_notice(db, 1, "a", NOW)
    add_notice(db, 2, "b", NOW)
    stop_channel(db, 1, "channel_not_found")
    assert texts(due(db, NOW)) == ["b"]


def test_channels_skipped_in_this_drain_have_nothing_due(db: Store) -> None:
    for channel, name in [(1, "a"), (2, "b"), (3, "c")]:
        add_notice(db, channel, name, NOW)
    assert texts(due(db, NOW, skip=[1, 3])) == ["b"]


# ---------------------------------------------------------------- alerts and backlogs


@pytest.mark.parametrize(
    ("poll", "status", "watches"),
    [
        ("p1", "pending", ["Sora", "OpenAI"]),  # a later copy in the same poll adds its watch
        ("p2", "pending", ["Sora"]),  # a later poll never changes an alert already queued
        ("p1", "sent", ["Sora"]),  # nor one already sent
        ("p1", "sending", ["Sora"]),
    ],
)
def test_a_later_copys_watches_join_only_a_pending_alert_of_the_same_poll(
    db: Store, poll: str, status: str, watches: list[str]
) -> None:
    add_alert(
        db,
        channel_id=1,
        story_id=10,
        item_id=100,
        watches=["Sora"],
        poll_id="p1",
        now=NOW,
        new_story=True,
    )
    db.execute("UPDATE deliveries SET status = ?", [status])
    add_alert(
        db,
        channel_id=1,
        story_id=10,
        item_id=101,
        watches=["OpenAI", "Sora"],
        poll_id=poll,
        now=NOW,
    )
    assert [json.loads(w) for (w,) in db.execute("SELECT watches FROM deliveries")] == [watches]


def queue_alerts(db: Store, count: int, created: float) -> None:
    for story in range(count):
        add_alert(
            db,
            channel_id=1,
            story_id=story,
            item_id=story,
            watches=["Sora"],
            poll_id="p",
            now=created,
            new_story=True,
        )


@pytest.mark.parametrize(
    ("pending", "oldest", "collapses"),
    [
        (4, NOW - 100, True),
        (3, NOW - 100, False),  # not more than the limit: each alert goes on its own
        (4, NOW - 60, True),  # waited since exactly `waited_since`
        (4, NOW - 59, False),  # a busy poll, not an outage
    ],
)
def test_a_backlog_folds_into_one_digest_only_past_its_limit_and_age(
    db: Store, pending: int, oldest: float, collapses: bool
) -> None:
    queue_alerts(db, pending, oldest)
    assert backlogged_channels(db, 3) == ([1] if pending > 3 else [])
    digest = collapse_backlog(db, 1, 3, NOW - 60, NOW)
    statuses = db.execute(
        "SELECT kind, status, collapsed_into FROM deliveries ORDER BY id"
    ).fetchall()
    if not collapses:
        assert digest is None
        assert statuses == [("alert", "pending", None)] * pending
    else:
        assert digest is not None
        assert statuses == [("alert", "collapsed", digest)] * pending + [
            ("digest", "pending", None)
        ]
        [payload] = db.execute("SELECT payload FROM deliveries WHERE id = ?", [digest]).fetchone()
        assert json.loads(payload) == {"deliveries": list(range(1, pending + 1)), "since": oldest}


def test_a_channel_at_its_backlog_limit_is_not_backlogged(db: Store) -> None:
    queue_alerts(db, 3, NOW)
    assert backlogged_channels(db, 3) == []
    assert backlogged_channels(db, 2) == [1]
