"""Exports of a report's table: CSV and XLSX with translated headers, numbers as numbers, and
no formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tuki.reports.exporting import safe_text
from tuki.reports.tests.pages import MARCH, World


def test_formula_starts_are_defused():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert safe_text(text).startswith("'")
    assert safe_text("Email") == "Email"


def test_csv_has_the_breakdown_and_the_total(world: World):
    response = world.client(world.analyst).get(f"/reports/volume/export.csv?{MARCH}&by=channel")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Channel", "Volume", "Tickets"] or lines[0][2] == "Tickets"
    rows = {line[0]: line for line in lines[1:]}
    assert rows["Total"][2] == "5"
    assert rows["Phone"][2] == "2"


def test_xlsx_opens_with_numbers_as_numbers(world: World):
    response = world.client(world.analyst).get(f"/reports/volume/export.xlsx?{MARCH}&by=channel")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row[2] == "Tickets")
    table = {row[0]: row for row in values[header + 1 :]}
    assert table["Total"][2] == 5 and isinstance(table["Total"][2], int)
    assert isinstance(table["Email"][1], int | float)


def test_headers_are_in_the_viewers_language(world: World):
    world.analyst.language = "fi"
    world.analyst.save()
    client = world.client(world.analyst)
    response = client.get(f"/reports/volume/export.csv?{MARCH}&by=channel")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "Tickets" not in header  # translated


def test_durations_say_their_unit(world: World):
    response = world.client(world.analyst).get(f"/reports/resolve_time/export.csv?{MARCH}")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "(minutes)" in header


def test_the_trend_table_exports_too(world: World):
    response = world.client(world.analyst).get(f"/reports/volume/export.csv?{MARCH}&table=trend")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 31 + 1 or len(lines) > 2  # a day per line, then the total


def test_a_name_that_looks_like_a_formula_is_exported_as_text(world: World):
    world.desk.acme.name = '=HYPERLINK("http://evil.example","Acme")'
    world.desk.acme.save()
    client = world.client(world.analyst)
    query = f"{MARCH}&by=organisation"
    lines = client.get(f"/reports/volume/export.csv?{query}").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in lines and "\n=HYPERLINK" not in lines
    book = load_workbook(io.BytesIO(client.get(f"/reports/volume/export.xlsx?{query}").content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "'" + world.desk.acme.name in cells
    assert world.desk.acme.name not in cells
