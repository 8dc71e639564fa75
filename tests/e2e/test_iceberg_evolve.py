"""Schema evolution (`otter table add-column`) and snapshot expiry (`otter table expire`), checked
with independent readers: DuckDB (@duckdb/node-api) reads every data file, icebird reads the
whole table (it resolves columns by Iceberg field id, so rows of files written before a column
was added read as null), avsc decodes manifest lists.

Set OTTER_BIN to run against another build."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from otter_e2e import run
from test_iceberg import _tools, node, table  # noqa: F401  (_tools: autouse fixture)


def rows(start: int, n: int, with_score: bool) -> list[dict]:
    out = []
    for i in range(start, start + n):
        r = {"id": i, "name": f"n{i}"}
        if with_score:
            r["score"] = None if i % 5 == 0 else i * 0.5
        out.append(r)
    return out


def snapshots(wh) -> list[dict]:
    return json.loads(table("snapshots", "db.t", "-w", wh, "--json").stdout)


def data_files(wh, *extra) -> list[dict]:
    return json.loads(table("files", "db.t", "-w", wh, "--json", *extra).stdout)


def local(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


def by_id(rs):
    # icebird leaves a column absent (undefined) in rows of files written before it existed.
    return sorted(({**r, "score": r.get("score")} for r in rs), key=lambda r: int(r["id"]))


def test_add_column_then_expire(tmp_path):
    wh = tmp_path / "wh"
    tdir = wh / "db" / "t"
    url = tdir.as_uri()
    table("create", "db.t", "-w", wh, "--schema", "id long required, name string")
    table("append", "db.t", "-w", wh, input=[json.dumps(r) for r in rows(0, 20, False)])
    table("append", "db.t", "-w", wh, input=[json.dumps(r) for r in rows(20, 10, False)])

    # Refusals commit nothing.
    for bad, msg in (("score:double required", "cannot be required"),
                     ("NAME:string", "already exists"),
                     ("x:uuid", "x"), ("nocolon", "name:type")):
        cp = table("add-column", "db.t", "-w", wh, "--column", bad, check=False)
        assert cp.returncode != 0 and msg in cp.stderr, (bad, cp.stderr)
    assert not (tdir / "metadata" / "v4.metadata.json").exists()

    out = table("add-column", "db.t", "-w", wh, "--column", "score:double:a score").stdout
    assert "added score double (id 3)" in out
    meta = json.loads((tdir / "metadata" / "v4.metadata.json").read_text())
    assert meta["current-schema-id"] == 1 and meta["last-column-id"] == 3
    assert [s["schema-id"] for s in meta["schemas"]] == [0, 1]
    assert meta["schemas"][1]["fields"][2] == {
        "id": 3, "name": "score", "required": False, "type": "double", "doc": "a score"}
    assert meta["metadata-log"][-1]["metadata-file"].endswith("/metadata/v3.metadata.json")
    desc = json.loads(table("describe", "db.t", "-w", wh, "--json").stdout)
    assert [f["name"] for f in desc["schema"]["fields"]] == ["id", "name", "score"]

    new_rows = rows(30, 10, True)
    table("append", "db.t", "-w", wh, input=[json.dumps(r) for r in new_rows])
    snaps = snapshots(wh)
    assert len(snaps) == 3

    # DuckDB reads every data file; files written before the evolution lack the column.
    files = data_files(wh)
    assert sum(f["record-count"] for f in files) == 40
    seen = 0
    for f in files:
        d = node("parquet_duckdb.mjs", local(f["file-path"]))
        cols = {t["column_name"] for t in d["types"]}
        fids = {s["name"]: s["field_id"] for s in d["schema"] if s["name"] != "schema"}
        if f["data-sequence-number"] == 3:
            assert cols == {"id", "name", "score"} and fids["score"] == "3"
            got = {int(r["id"]): r["score"] for r in d["rows"]}
            assert got == {r["id"]: r["score"] for r in new_rows}
        else:
            assert cols == {"id", "name"}
        seen += len(d["rows"])
    assert seen == 40

    # icebird: one table, old rows with score null (resolved by field id).
    got = node("iceberg_read.mjs", url)
    expect = [{"id": str(r["id"]), "name": r["name"], "score": r.get("score")}
              for r in rows(0, 30, False) + new_rows]
    assert by_id(got["rows"]) == expect
    assert all("score" not in r for r in got["rows"] if int(r["id"]) < 30)

    # Expire: dry run first (changes nothing), then for real, keeping only the current snapshot.
    cur = snaps[-1]
    old_lists = [local(s["manifest-list"]) for s in snaps[:-1]]
    cutoff_iso = datetime.fromtimestamp((cur["timestamp-ms"] + 1) / 1000, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    dry = json.loads(table("expire", "db.t", "-w", wh, "--older-than", cutoff_iso, "--dry-run",
                           "--json").stdout)
    assert dry["expired-snapshot-ids"] == sorted(s["snapshot-id"] for s in snaps[:-1])
    assert sorted(map(Path, dry["deleted-manifest-lists"])) == sorted(old_lists)
    assert dry["committed-version"] == 0
    assert all(p.exists() for p in old_lists) and len(snapshots(wh)) == 3

    before = {Path(f["file-path"].removeprefix("file://")) for f in files}
    res = json.loads(table("expire", "db.t", "-w", wh, "--older-than-ms",
                           str(cur["timestamp-ms"] + 1), "--retain-last", "1", "--json").stdout)
    assert res["expired-snapshot-ids"] == dry["expired-snapshot-ids"]
    assert res["remaining-snapshot-ids"] == [cur["snapshot-id"]]
    assert res["deleted-files"] == [] and res["deleted-manifests"] == []  # shared by the current
    assert res["committed-version"] == 6
    assert not any(p.exists() for p in old_lists)
    assert local(cur["manifest-list"]).exists()
    assert all(p.exists() for p in before)
    assert [s["snapshot-id"] for s in snapshots(wh)] == [cur["snapshot-id"]]
    meta = json.loads((tdir / "metadata" / "v6.metadata.json").read_text())
    assert [e["snapshot-id"] for e in meta["snapshot-log"]] == [cur["snapshot-id"]]
    assert meta["refs"]["main"]["snapshot-id"] == cur["snapshot-id"]

    # The current snapshot stays fully readable by both readers.
    assert by_id(node("iceberg_read.mjs", url)["rows"]) == expect
    d = node("parquet_duckdb.mjs", local(data_files(wh)[0]["file-path"]))
    assert d["rows"]
    assert sum(f["record-count"] for f in data_files(wh)) == 40
    ml = node("avro_decode.mjs", local(cur["manifest-list"]))
    assert sum(r["added_rows_count"] for r in ml["records"]) == 40

    # Time travel to an expired snapshot is refused.
    cp = table("files", "db.t", "-w", wh, "--snapshot", str(snaps[0]["snapshot-id"]), check=False)
    assert cp.returncode != 0 and "no snapshot" in cp.stderr
    cp = run(["node", Path(__file__).parent / "js" / "iceberg_read.mjs", url, "v2.metadata.json"],
             check=False, timeout=120)
    assert cp.returncode != 0  # v2's manifest list was deleted with its snapshot

    # Nothing left to expire: no new metadata version.
    again = json.loads(table("expire", "db.t", "-w", wh, "--older-than-ms",
                             str(cur["timestamp-ms"] + 1), "--json").stdout)
    assert again["expired-snapshot-ids"] == [] and again["committed-version"] == 0
    assert not (tdir / "metadata" / "v7.metadata.json").exists()

    # Appends continue after expiry, with the evolved schema.
    table("append", "db.t", "-w", wh, input=[json.dumps(r) for r in rows(40, 5, True)])
    assert len(by_id(node("iceberg_read.mjs", url)["rows"])) == 45


def test_expire_argument_errors(tmp_path):
    wh = tmp_path / "wh"
    table("create", "db.t", "-w", wh, "--schema", "id long")
    for args, msg in ((["--older-than", "yesterday"], "--older-than"),
                      (["--older-than", "2026-01-01T00:00:00Z", "--older-than-ms", "5"], "not both"),
                      (["--retain-last", "-1"], "at least 1")):
        cp = table("expire", "db.t", "-w", wh, *args, check=False)
        assert cp.returncode != 0 and msg in cp.stderr, (args, cp.stderr)
    cp = table("expire", "db.nope", "-w", wh, check=False)
    assert cp.returncode != 0 and "no Iceberg table" in cp.stderr
    # An empty table has nothing to expire.
    out = table("expire", "db.t", "-w", wh, "--older-than-ms", "99999999999999").stdout
    assert "expired 0 snapshots" in out
