"""Rate limits against floods from one participant (issue 14): token buckets, and the budgets.

Anyone with a join code can open a websocket, so one participant must not be able to stall the
process or crowd out the others:
- **signals** (typing, dragging: ephemeral) have a budget per connection. A signal over it is
  dropped silently, and where the frame starts as the browser writes it (`{"type":"signal"`) it
  is dropped before it is even decoded. A connection that keeps flooding far beyond the budget
  is closed with 1008 (policy violation);
- **commands** have a budget per participant, shared by their connections to this process. A
  command over it is refused with `rate_limited` (nothing is logged); the client may send it
  again, with the same id, a moment later.
Pure bookkeeping on a clock passed in: no I/O, no timers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A browser sends at most one signal of each of its three kinds every 200 ms (15 a second).
SIGNALS_PER_SECOND = 20.0
SIGNAL_BURST = 40
# Signals dropped beyond the budget: this many in a burst, or more than this many a second for
# long, and the connection is closed. A client that merely sends too eagerly (a pointer at 60 a
# second) is never closed; a flood of thousands a second is, within a fraction of a second.
SIGNAL_DROPS_PER_SECOND = 100.0
SIGNAL_DROP_BURST = 1000
CLOSE_FLOODING = 1008  # policy violation (RFC 6455)

# A fast person does a few commands a second; a burst allows a quick series (several votes,
# moving a few notes) and a resend of what waited during a reconnect. The rate is a setting
# (WERKPLAATS_COMMANDS_PER_SECOND; a load test sends far more from one client); the burst is
# always this many seconds of it.
COMMANDS_PER_SECOND = 10
COMMAND_BURST_SECONDS = 4
COMMAND_BURST = COMMANDS_PER_SECOND * COMMAND_BURST_SECONDS
RATE_LIMITED = "rate_limited"

_SIGNAL_PREFIX = '{"type":"signal"'
_SIGNAL_PREFIX_BYTES = _SIGNAL_PREFIX.encode()
_MAX_IDLE_BUCKETS = 10_000  # participants' buckets kept before the full (idle) ones are dropped


@dataclass(slots=True)
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; a take that finds none fails."""

    rate: float
    burst: float
    tokens: float = -1.0  # -1: full, at the first take
    when: float = 0.0  # the clock at the last refill

    def take(self, now: float) -> bool:
        self.refill(now)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens = self.burst
        else:
            self.tokens = min(self.burst, self.tokens + (now - self.when) * self.rate)
        self.when = now

    def full(self, now: float) -> bool:
        self.refill(now)
        return self.tokens >= self.burst


def looks_like_signal(frame: str | bytes) -> bool:
    """The frame starts as a signal does when the browser writes it (no decoding needed)."""
    if isinstance(frame, str):
        return frame.startswith(_SIGNAL_PREFIX)
    return frame.startswith(_SIGNAL_PREFIX_BYTES)


@dataclass(slots=True)
class SignalLimit:
    """One connection's signal budget, and its patience with signals over it."""

    budget: TokenBucket = field(
        default_factory=lambda: TokenBucket(SIGNALS_PER_SECOND, SIGNAL_BURST)
    )
    patience: TokenBucket = field(
        default_factory=lambda: TokenBucket(SIGNAL_DROPS_PER_SECOND, SIGNAL_DROP_BURST)
    )
    dropped: int = 0

    def allow(self, now: float) -> bool:
        """True: pass the signal on. False: drop it (and see `flooding`)."""
        if self.budget.take(now):
            return True
        self.dropped += 1
        self.patience.take(now)
        return False

    def flooding(self, now: float) -> bool:
        """Dropped signals have used up all patience: close the connection."""
        self.patience.refill(now)
        return self.patience.tokens < 1


@dataclass
class CommandLimits:
    """The command budget of each participant (per session) in this process."""

    rate: float = COMMANDS_PER_SECOND
    buckets: dict[tuple[int, str], TokenBucket] = field(default_factory=dict)

    @property
    def burst(self) -> float:
        return self.rate * COMMAND_BURST_SECONDS

    def allow(self, session_id: int, participant: str, now: float) -> bool:
        key = (session_id, participant)
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= _MAX_IDLE_BUCKETS:
                self._forget_idle(now)
            bucket = self.buckets[key] = TokenBucket(self.rate, self.burst)
        return bucket.take(now)

    def _forget_idle(self, now: float) -> None:
        # A full bucket is the same as a new one: forgetting it changes nothing.
        for key in [key for key, bucket in self.buckets.items() if bucket.full(now)]:
            del self.buckets[key]
