"""The "sending" mark written just before an email or a webhook leaves, so a crash mid-send is visible.

:func:`monitor.store.outputs.record_delivery` records how a try ended (sent,
failed, limited); :func:`mark_sending` records that a try has started without
counting it. A row still "sending" on the next run means the process died while
sending: whether the receiver got it is unknown, so it is sent again with the same
idempotency key (webhook) or Message-ID (email), and receivers can drop the copy.
A mark younger than :data:`IN_FLIGHT` is taken as another process sending right
now and is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.db import session_scope
from monitor.store.tables import Delivery

SENDING = "sending"
IN_FLIGHT = timedelta(minutes=10)


def mark_sending(engine: Engine, item_kind: str, item_key: str, channel: str, recipient: str,
                 now: datetime) -> None:
    """Set the delivery's status to "sending" (creating its row if needed); attempts are not counted here."""
    which = {"item_kind": item_kind, "item_key": item_key, "channel": channel, "recipient": recipient}
    with session_scope(engine) as session:
        query = sa.update(Delivery).filter_by(**which).values(status=SENDING, updated_at=now)
        if not session.execute(query).rowcount:
            session.add(Delivery(**which, status=SENDING, attempts=0, updated_at=now))


def in_flight(row: Any, now: datetime) -> bool:
    """True while another process may still be sending this delivery."""
    return row.status == SENDING and row.updated_at is not None and now - row.updated_at < IN_FLIGHT
