"""Login throttling: sign-ins per account and per address get 429 with ``Retry-After`` past their limits.

Counted by :mod:`radio.rate_limit` (in the database, so every web process and machine shares the counts).
Each attempt takes a slot before the password is checked — concurrent guesses cannot slip past the limit —
and a good password gives its slots back: the account's count is cleared and the address's slot returned,
so an office signing many people in from one address is not throttled by its own successes.
"""

from __future__ import annotations

from radio import rate_limit
from radio.rate_limit import Decision, Limit
from radio.runtime import Runtime

WINDOW_S = 15 * 60
PER_ACCOUNT = 5  # failed sign-ins per account in the window
PER_ADDRESS = 20  # failed sign-ins per client address in the window


def limits_for(email: str, address: str) -> dict[str, Limit]:
    """The throttle keys of one sign-in attempt (account first) and their limits."""
    return {rate_limit.limit_key("login_account", email.strip().lower()): Limit(PER_ACCOUNT, WINDOW_S),
            rate_limit.limit_key("login_address", address): Limit(PER_ADDRESS, WINDOW_S)}


def attempt(runtime: Runtime, limits: dict[str, Limit]) -> Decision:
    """Count a sign-in attempt; a refused decision carries the seconds to wait."""
    return rate_limit.hit(runtime.sessions, limits)


def succeeded(runtime: Runtime, limits: dict[str, Limit], decision: Decision) -> None:
    """The password was right: clear the account's count and give the address its slot back."""
    account, address = list(limits)
    rate_limit.clear(runtime.sessions, [account])
    rate_limit.refund(runtime.sessions, [address], decision.stamp)
