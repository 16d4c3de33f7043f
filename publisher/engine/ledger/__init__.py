"""The SQLite ledger: the single source of truth for what was posted where.

`store.Ledger` writes (one transaction per transition), `queries` reads, `schema` holds the
tables, states and migrations, `check` verifies a ledger file.
"""

from publisher.engine.ledger.store import *  # noqa: F403
from publisher.engine.ledger.store import __all__  # noqa: F401
