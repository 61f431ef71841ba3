#!/usr/bin/env python3
"""Failed attempts before a blocker of B seconds ends, per backoff schedule, with blocker-aware waits.

The table in docs/benchmarks.md ("The defaults, decided with these numbers"). Rerun:
    python3 docs/benchmarks/backoff-schedules.py
Model: attempt 1 starts when the blocker has just started; each attempt fails after lockTimeout while
the blocker lives; the wait after attempt n is min(initial * multiplier^(n-1), cap), times a uniform
jitter factor in [1 - jitter, 1 + jitter] as Resilience4j draws it, and ends early when the blocker
ends (the next attempt then succeeds). Seeded, so the output is the same on every run.
"""
import random

LOCK_TIMEOUT = 0.2
MAX_ATTEMPTS = 10
TRIALS = 4000
BLOCKERS = (1, 3, 5, 10, 30, 60, 120)


def failed_attempts(blocker, initial, multiplier, jitter, cap, rng):
    t = 0.0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if t >= blocker:
            return attempt - 1
        t += LOCK_TIMEOUT
        if attempt == MAX_ATTEMPTS:
            return None  # gave up
        wait = min(initial * multiplier ** (attempt - 1), cap)
        wait *= 1 + jitter * (2 * rng.random() - 1)
        t = t + wait if t + wait < blocker else max(t, blocker)
    return None


def outlasts(initial, multiplier, cap):
    return sum(min(initial * multiplier ** (a - 1), cap) for a in range(1, MAX_ATTEMPTS)) + MAX_ATTEMPTS * LOCK_TIMEOUT


def main():
    rng = random.Random(12)
    print("schedule | " + " | ".join("B = %d s" % b for b in BLOCKERS) + " | outlasts")
    for name, initial, multiplier, jitter, cap in (
            ("500 ms x 2^n (old default)", 0.5, 2, 0.5, 30),
            ("1 s x 2^n", 1, 2, 0.5, 30),
            ("1 s x 3^n (new default)", 1, 3, 0.5, 30),
            ("1 s x 3^n, cap 60 s", 1, 3, 0.5, 60)):
        cells = []
        for b in BLOCKERS:
            runs = [failed_attempts(b, initial, multiplier, jitter, cap, rng) for _ in range(TRIALS)]
            done = [r for r in runs if r is not None]
            gave_up = 1 - len(done) / TRIALS
            cell = "<= %d" % max(done) if done else "-"
            if gave_up > 0:
                cell += ", gives up in %.1f %%" % (100 * gave_up)
            cells.append(cell)
        print("%s | %s | %.0f s" % (name, " | ".join(cells), outlasts(initial, multiplier, cap)))


if __name__ == "__main__":
    main()
