#!/usr/bin/env python3
"""Recent popularity alone on the chronological replay's protocol, for choosing the replay's
popularity half-life (bench/README.md, "The chronological replay through the engine").

Each user's latest 20 % of ratings by time, those rated 4 or more, are evaluation points; just
before each is replayed, items are ranked by their interactions' weights decayed by event time
(2 for a rating of 4 or more, 1 for 3 to 3.5, -2 below: the replay's like, click and dislike),
the user's own items left out, and a hit is counted when the item is in the top 20. The engine's
popularity arm (bin/freshet evaluate) measured 0.0982 at 180 days where this prints 0.0983.

  python3 bench/tools/replay_popularity.py ../shared/data/ml-latest-small/ratings.csv 30 90 180 365
"""
import csv
import math
import sys

import numpy as np


def read(path):
    rows = []
    with open(path) as f:
        reader = csv.reader(f)
        next(reader)
        for user, item, rating, ts in reader:
            rows.append((int(ts), user, item, float(rating)))
    rows.sort()
    return rows


def weight(rating):
    return 2.0 if rating >= 4 else (1.0 if rating >= 3 else -2.0)


def hit_rate(rows, half_life_days, k=20):
    items = sorted({r[2] for r in rows})
    index = {item: n for n, item in enumerate(items)}
    by_user = {}
    for n, (_, user, _, _) in enumerate(rows):
        by_user.setdefault(user, []).append(n)
    points = set()
    for mine in by_user.values():
        test = math.ceil(len(mine) * 0.2)
        points.update(n for n in mine[len(mine) - test:] if rows[n][3] >= 4)
    half_life = half_life_days * 86400
    # scores as of `anchor`: ranking at any later time is the same order, so only re-anchored
    # now and then to keep the numbers finite
    score = np.zeros(len(items))
    anchor = rows[0][0]
    seen = {}
    hits = 0
    for n, (t, user, item, rating) in enumerate(rows):
        if t - anchor > 20 * half_life:
            score *= 2 ** (-(t - anchor) / half_life)
            anchor = t
        if n in points:
            s = score.copy()
            for j in seen.get(user, ()):
                s[j] = -np.inf
            if index[item] in np.argpartition(-s, k)[:k]:
                hits += 1
        score[index[item]] += weight(rating) * 2 ** ((t - anchor) / half_life)
        seen.setdefault(user, set()).add(index[item])
    return hits / len(points), len(points)


if __name__ == "__main__":
    data = read(sys.argv[1])
    for days in sys.argv[2:]:
        rate, points = hit_rate(data, float(days))
        print(f"half-life {days} days: hit-rate@20 {rate:.4f} over {points} points")
