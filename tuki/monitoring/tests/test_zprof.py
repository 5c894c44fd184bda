import cProfile, pstats, time
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tuki.monitoring import services
from tuki.monitoring.payloads import Incoming
pytestmark = pytest.mark.django_db

def inc(fp, g):
    return Incoming(name=f"C{g}", status="firing", ci=f"bench-{g}.invalid", fingerprint=fp, group_key=f"g{g}", labels={"a": "b"})

def test_prof(world):
    warm = [inc(f"w{n}", n // 50) for n in range(1000)]
    for i in range(0, 1000, 50):
        services.receive(world.source, warm[i:i+50])
    import random
    rng = random.Random(1)
    t = time.perf_counter()
    for i in range(40):
        services.receive(world.source, rng.sample(warm, 50))
    print("repeats only per batch ms", (time.perf_counter() - t) / 40 * 1000)
    t = time.perf_counter()
    pr = cProfile.Profile(); pr.enable()
    with CaptureQueriesContext(connection) as q:
        for i in range(40):
            g = rng.randrange(20)
            services.receive(world.source, [inc(f"n{i}-{k}", g) for k in range(2)] + rng.sample(warm, 48))
    pr.disable()
    print("2 new per batch ms", (time.perf_counter() - t) / 40 * 1000, "queries/batch", len(q.captured_queries) / 40)
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
