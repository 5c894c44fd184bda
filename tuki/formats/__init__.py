"""Date and time formats where Tuki departs from Django's for a language (FORMAT_MODULE_PATH).

English gets a day-month-year date with a 24-hour clock ("6 Dec 2026, 14:05"): Django's
"12/06/2026 2:05 p.m." reads as June to most of a European service desk. Romanian and
Finnish keep Django's. Templates show dates through tuki/lib/dates.py, which uses the
SHORT_* formats.
"""
