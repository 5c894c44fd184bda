"""The benchmark suite behind `tuki bench`: a large desk, a real HTTP server, figures and floors.

1. **Its own database.** Next to the configured one, never in it: `<name>_bench` on the same
   PostgreSQL server, or `bench.sqlite3` in the var directory. It is migrated, loaded once
   with `--tickets N` tickets (generator.py) and kept for the next run with the
   same N (`--fresh` rebuilds it; `--quick` uses a small one and drops it afterwards).
2. **A real server.** `tuki serve --workers 2` (granian, two processes) on a free port,
   pointed at that database; clients speak HTTP/1.1 with keep-alive from this process.
3. **Measurements.** Latency as median and p95 of sequential requests; throughput with
   several concurrent clients for a fixed time; SQL queries per request counted in-process
   with Django's test client on the same database.
4. **Floors** in the same run: a plain Django project's one view under plain gunicorn
   (floors.py, plainapp.py), a trivial view through the same server (`/healthz`) and a
   bare one-row INSERT transaction on the same database. Each figure is also given as a
   ratio to its floor.
5. **Budgets** (`--check`): the issue's targets for PostgreSQL with 1,000,000 tickets.

The micro-benchmarks in bench/*.py (SLA arithmetic, rules engine, search, ...) run after
the HTTP measurements, on the same database, unless `--only` names others.

Modules: options.py (options, figures, the run), database.py (its databases), loading.py
and generator.py with world.py and rows.py (the data set), clients.py (servers and HTTP
clients), targets.py (what is requested), measure.py (the HTTP measurements and floors),
floors.py and plainapp.py (the plain Django floor, the spread over worker processes),
report.py (budgets, record, table), profiling.py (`--profile`); the command in
management/commands/bench.py.
"""
