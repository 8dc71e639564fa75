"""Parquet files and Iceberg tables written by `otter table ...`, checked with independent readers:
DuckDB (@duckdb/node-api) and hyparquet for Parquet, icebird for whole Iceberg tables, avsc for the
Avro manifests and manifest lists. icebird ignores Parquet field ids and Avro header keys, so those
are asserted separately here.

Set OTTER_BIN to run against another build (e.g. build-ice2/otter-table-dev during development)."""
from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from otter_e2e import E2E, OTTER, REPO, run

JS = E2E / "js"
FIXTURES = REPO / "tests" / "fixtures" / "iceberg-real"


@pytest.fixture(scope="module", autouse=True)
def _tools():
    if shutil.which("node") is None:
        pytest.fail("node is not installed (scripts/setup.sh installs it)")
    for pkg in ("@duckdb/node-api", "hyparquet", "icebird", "avsc"):
        if not (E2E / "node_modules" / pkg).is_dir():
            pytest.fail(f"tests/e2e/node_modules/{pkg} missing: run scripts/setup.sh")
    if not OTTER.exists():
        pytest.fail(f"{OTTER} does not exist: build it first")
    cp = subprocess.run([str(OTTER), "table", "--help"], capture_output=True, text=True, timeout=30)
    if cp.returncode != 0:
        pytest.fail(f"{OTTER} has no `table` command (src/app/table_cmd.cc not linked?):\n{cp.stderr}")


def node(script, *args, timeout=120):
    cp = run(["node", JS / script, *args], timeout=timeout)
    return json.loads(cp.stdout)


def table(*args, input=None, check=True, timeout=120):
    return run([OTTER, "table", *args], input=input, check=check, timeout=timeout)


# ---- test data ---------------------------------------------------------------------------------

SCHEMA = ("b boolean, i32 int required, i64 long required, f32 float, f64 double, "
          "dec decimal(9, 2), dec18 decimal(18, 3), wide decimal(38, 4), s string, bin binary, "
          "d date, ts timestamp, tstz timestamptz")
EPOCH = datetime(1970, 1, 1)


def iso(us: int, tz: bool) -> str:
    t = EPOCH + timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + ("Z" if tz else "")


def make_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        null = i % 7 == 3
        ts_us = (i - 1000) * 86_400_000_123 + 17  # negative (pre-1970) for the first 1000 rows
        wide = f"{'-' if i % 5 == 1 else ''}{i * 10**25 + 7}.{i % 10000:04d}"
        row = {
            "b": i % 3 == 0,
            "i32": i - 1500,
            "i64": i * 10**12 - 7,
            "f32": i / 4,
            "f64": -i / 8,
            "dec": str(Decimal(i * 7 - 500) / 100),
            "dec18": f"{i * 1000003}.{i % 1000:03d}",
            "wide": wide,
            "s": f"name-{i % 13}",
            "bin": f"bin-{i}",
            "d": (date(1970, 1, 1) + timedelta(days=i - 1000)).isoformat(),
            "ts": iso(ts_us, False),
            "tstz": iso(ts_us, True),
        }
        if null:
            for k in ("b", "f32", "f64", "dec", "dec18", "wide", "s", "bin", "d", "ts", "tstz"):
                row[k] = None
        rows.append(row)
    return rows


def expected_strings(r: dict) -> dict:
    """The row as DuckDB renders it with the SELECT below (all VARCHAR)."""
    def us(s):
        if s is None:
            return None
        t = datetime.strptime(s.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
        return str((t - EPOCH) // timedelta(microseconds=1))

    def dec(s, scale):
        return None if s is None else f"{Decimal(s):.{scale}f}"

    return {
        "b": None if r["b"] is None else str(r["b"]).lower(),
        "i32": str(r["i32"]),
        "i64": str(r["i64"]),
        "f32": None if r["f32"] is None else repr(float(r["f32"])),
        "f64": None if r["f64"] is None else repr(float(r["f64"])),
        "dec": dec(r["dec"], 2),
        "dec18": dec(r["dec18"], 3),
        "wide": dec(r["wide"], 4),
        "s": r["s"],
        "bin": None if r["bin"] is None else r["bin"].encode().hex().upper(),
        "d": r["d"],
        "ts": us(r["ts"]),
        "tstz": us(r["tstz"]),
    }


SELECT = ("CAST(b AS VARCHAR) AS b, CAST(i32 AS VARCHAR) AS i32, CAST(i64 AS VARCHAR) AS i64, "
          "CAST(f32 AS VARCHAR) AS f32, CAST(f64 AS VARCHAR) AS f64, CAST(dec AS VARCHAR) AS dec, "
          "CAST(dec18 AS VARCHAR) AS dec18, CAST(wide AS VARCHAR) AS wide, s, hex(bin) AS bin, "
          "CAST(d AS VARCHAR) AS d, CAST(epoch_us(ts) AS VARCHAR) AS ts, "
          "CAST(epoch_us(tstz) AS VARCHAR) AS tstz")

FIELD_IDS = {n: i + 1 for i, n in enumerate(
    ["b", "i32", "i64", "f32", "f64", "dec", "dec18", "wide", "s", "bin", "d", "ts", "tstz"])}


def write_parquet(tmp_path: Path, rows, *extra) -> Path:
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.parquet"
    table("write-parquet", out, src, "--schema", SCHEMA, *extra)
    return out


# ---- Parquet -----------------------------------------------------------------------------------

@pytest.mark.parametrize("codec", ["zstd", "snappy", "gzip", "none"])
@pytest.mark.parametrize("dictionary", [True, False], ids=["dict", "plain"])
def test_parquet_every_type_read_by_duckdb_and_hyparquet(tmp_path, codec, dictionary):
    rows = make_rows(2500)
    extra = ["--codec", codec, "--row-group-rows", "1000", "--page-bytes", "4096"]
    if not dictionary:
        extra.append("--no-dictionary")
    f = write_parquet(tmp_path, rows, *extra)

    d = node("parquet_duckdb.mjs", f, SELECT, "CAST(i32 AS INTEGER)")
    assert d["rows"] == [expected_strings(r) for r in rows]
    types = {t["column_name"]: t["column_type"] for t in d["types"]}
    assert types == {"b": "BOOLEAN", "i32": "INTEGER", "i64": "BIGINT", "f32": "FLOAT",
                     "f64": "DOUBLE", "dec": "DECIMAL(9,2)", "dec18": "DECIMAL(18,3)",
                     "wide": "DECIMAL(38,4)", "s": "VARCHAR", "bin": "BLOB", "d": "DATE",
                     "ts": "TIMESTAMP", "tstz": "TIMESTAMP WITH TIME ZONE"}
    schema = {s["name"]: s for s in d["schema"]}
    for name, fid in FIELD_IDS.items():
        assert schema[name]["field_id"] == str(fid), schema[name]
    assert schema["i32"]["repetition_type"] == "REQUIRED"
    assert schema["s"]["repetition_type"] == "OPTIONAL"
    assert schema["s"]["converted_type"] == "UTF8" and schema["s"]["logical_type"] == "StringType()"
    assert schema["d"]["logical_type"] == "DateType()"
    assert "isAdjustedToUTC=1" in schema["tstz"]["logical_type"]
    assert "isAdjustedToUTC=0" in schema["ts"]["logical_type"]
    assert schema["tstz"]["converted_type"] == "TIMESTAMP_MICROS"
    assert (schema["dec"]["type"], schema["dec18"]["type"], schema["wide"]["type"]) == (
        "INT32", "INT64", "FIXED_LEN_BYTE_ARRAY")
    assert schema["wide"]["type_length"] == "16"

    meta = d["metadata"]
    assert sorted({m["row_group_id"] for m in meta}) == ["0", "1", "2"]
    assert {m["compression"] for m in meta} == {codec.upper() if codec != "none" else "UNCOMPRESSED"}
    s_enc = {m["encodings"] for m in meta if m["path_in_schema"] == "s"}
    assert s_enc == ({"PLAIN, RLE, RLE_DICTIONARY"} if dictionary else {"PLAIN, RLE"})
    i64 = [m for m in meta if m["path_in_schema"] == "i64"]
    assert [(m["stats_min_value"], m["stats_max_value"]) for m in i64] == [
        (str(-7), str(999 * 10**12 - 7)), (str(1000 * 10**12 - 7), str(1999 * 10**12 - 7)),
        (str(2000 * 10**12 - 7), str(2499 * 10**12 - 7))]
    s_nulls = sum(int(m["stats_null_count"]) for m in meta if m["path_in_schema"] == "s")
    assert s_nulls == sum(1 for r in rows if r["s"] is None)
    kv = {k["key"]: k["value"] for k in d["kv"]}
    ice = json.loads(kv["iceberg.schema"])
    assert [(x["id"], x["name"], x["type"]) for x in ice["fields"]][:3] == [
        (1, "b", "boolean"), (2, "i32", "int"), (3, "i64", "long")]

    h = node("parquet_hyparquet.mjs", f)
    assert h["numRows"] == "2500" and h["rowGroups"] == 3
    assert {s["name"]: s.get("field_id") for s in h["schema"][1:]} == FIELD_IDS
    got = h["rows"]
    assert len(got) == 2500
    for r, g in zip(rows, got):
        assert g["i32"] == r["i32"] and g["i64"] == str(r["i64"]) and g["s"] == r["s"]
        assert g["b"] == r["b"] and g["f64"] == r["f64"] and g["d"] == (
            None if r["d"] is None else r["d"] + "T00:00:00.000Z")


def test_dictionary_falls_back_to_plain_past_the_limit(tmp_path):
    rows = make_rows(500)
    f = write_parquet(tmp_path, rows, "--dictionary-max-bytes", "64")
    d = node("parquet_duckdb.mjs", f, SELECT, "CAST(i32 AS INTEGER)")
    assert d["rows"] == [expected_strings(r) for r in rows]
    assert {m["encodings"] for m in d["metadata"] if m["path_in_schema"] == "s"} == {"PLAIN, RLE"}
    f2 = write_parquet(tmp_path / "..", rows)  # default limit: the 13 names stay a dictionary
    d2 = node("parquet_duckdb.mjs", f2)
    assert {m["encodings"] for m in d2["metadata"] if m["path_in_schema"] == "s"} == {
        "PLAIN, RLE, RLE_DICTIONARY"}


def test_parquet_bad_input_is_an_error(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"i32": 1, "i64": 2}\n{"i32": "x", "i64": 2}\n')
    cp = table("write-parquet", tmp_path / "o.parquet", src, "--schema", SCHEMA, check=False)
    assert cp.returncode == 1 and "line 2" in cp.stderr and "i32" in cp.stderr, cp.stderr
    src.write_text('{"i64": 2}\n')  # required column missing
    cp = table("write-parquet", tmp_path / "o.parquet", src, "--schema", SCHEMA, check=False)
    assert cp.returncode == 1 and "i32" in cp.stderr, cp.stderr


# ---- Iceberg -----------------------------------------------------------------------------------

def murmur3_32(data: bytes) -> int:
    """Reference Murmur3 x86 32 (seed 0), as Iceberg's bucket transform uses."""
    c1, c2, h = 0xCC9E2D51, 0x1B873593, 0
    rot = lambda x, r: ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF  # noqa: E731
    n = len(data) // 4
    for i in range(n):
        k = struct.unpack_from("<I", data, 4 * i)[0]
        k = rot((k * c1) & 0xFFFFFFFF, 15) * c2 & 0xFFFFFFFF
        h = (rot(h ^ k, 13) * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[4 * n:]
    k = 0
    for j, b in enumerate(tail):
        k |= b << (8 * j)
    if tail:
        k = rot((k * c1) & 0xFFFFFFFF, 15) * c2 & 0xFFFFFFFF
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


def bucket(v: int, n: int) -> int:
    return (murmur3_32(struct.pack("<q", v)) & 0x7FFFFFFF) % n


def event_rows(start: int, n: int) -> list[dict]:
    base = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp() * 1_000_000)
    out = []
    for i in range(start, start + n):
        out.append({
            "id": i,
            "region": None if i % 9 == 0 else ["eu-west", "us-east", "ap"][i % 3],
            "ts": None if i % 11 == 0 else iso(base + i * 3_600_000_000 * 5 - 1, True),
            "amount": f"{i}.{i % 100:02d}",
            "ok": i % 2 == 0,
        })
    return out


def test_table_create_append_read_with_icebird_and_avsc(tmp_path):
    wh = tmp_path / "wh"
    tdir = wh / "db" / "events"
    table("create", "db.events", "-w", wh, "--schema",
          "id long required, region string, ts timestamptz, amount decimal(10, 2), ok boolean",
          "--partition", "day(ts), bucket[4](id), truncate[2](region)")
    first, second = event_rows(0, 60), event_rows(60, 40)
    table("append", "db.events", "-w", wh, input=[json.dumps(r) for r in first])
    csv_lines = ["id,region,ts,amount,ok"] + [
        ",".join("" if r[k] is None else str(r[k]).lower() if k == "ok" else str(r[k])
                 for k in ("id", "region", "ts", "amount", "ok")) for r in second]
    table("append", "db.events", "-w", wh, "--format", "csv", "--codec", "snappy", input=csv_lines)

    assert (tdir / "metadata" / "version-hint.text").read_text() == "3"
    url = tdir.as_uri()

    def as_icebird(r):
        return {"id": str(r["id"]), "region": r["region"],
                "ts": None if r["ts"] is None else r["ts"][:23] + "Z",
                "amount": float(r["amount"]), "ok": r["ok"]}

    def rounded(rows):  # icebird turns decimals into JS numbers (303 / 100 = 3.0300000000000002)
        return [{**r, "amount": round(r["amount"], 2)} for r in sorted(rows, key=lambda r: int(r["id"]))]

    got = node("iceberg_read.mjs", url)
    assert rounded(got["rows"]) == [as_icebird(r) for r in first + second]
    seqs = sorted({e["sequence_number"] for e in got["manifestEntries"]})
    assert seqs == ["1", "2"]
    old = node("iceberg_read.mjs", url, "v2.metadata.json")
    assert rounded(old["rows"]) == [as_icebird(r) for r in first]

    # CLI views agree.
    snaps = json.loads(table("snapshots", "db.events", "-w", wh, "--json").stdout)
    assert [s["sequence-number"] for s in snaps] == [1, 2]
    assert snaps[1]["parent-snapshot-id"] == snaps[0]["snapshot-id"]
    assert snaps[1]["summary"]["total-records"] == "100"
    assert snaps[0]["summary"]["added-records"] == "60"
    files = json.loads(table("files", "db.events", "-w", wh, "--json").stdout)
    assert sum(f["record-count"] for f in files) == 100

    # Manifest lists and manifests, decoded by avsc.
    meta = json.loads((tdir / "metadata" / "v3.metadata.json").read_text())
    assert meta["format-version"] == 2 and len(meta["metadata-log"]) == 2
    assert [e["snapshot-id"] for e in meta["snapshot-log"]] == [s["snapshot-id"] for s in snaps]
    ml_path = Path(meta["snapshots"][1]["manifest-list"].removeprefix("file://"))
    ml = node("avro_decode.mjs", ml_path)
    assert ml["metadata"]["format-version"] == "2"
    assert ml["metadata"]["sequence-number"] == "2"
    assert ml["metadata"]["parent-snapshot-id"] == str(snaps[0]["snapshot-id"])
    ids = {f["name"]: f["field-id"] for f in ml["schema"]["fields"]}
    assert ids["manifest_path"] == 500 and ids["added_snapshot_id"] == 503 and ids["partitions"] == 507
    part_array = ml["schema"]["fields"][13]["type"][1]
    assert part_array["element-id"] == 508
    assert [(r["sequence_number"], r["added_rows_count"]) for r in ml["records"]] == [(2, 40), (1, 60)]

    data_files = []
    for row in ml["records"]:
        m = node("avro_decode.mjs", Path(row["manifest_path"].removeprefix("file://")))
        h = m["metadata"]
        assert (h["format-version"], h["content"], h["partition-spec-id"], h["schema-id"]) == (
            "2", "data", "0", "0")
        assert json.loads(h["partition-spec"]) == [
            {"name": "ts_day", "transform": "day", "source-id": 3, "field-id": 1000},
            {"name": "id_bucket", "transform": "bucket[4]", "source-id": 1, "field-id": 1001},
            {"name": "region_trunc", "transform": "truncate[2]", "source-id": 2, "field-id": 1002}]
        assert json.loads(h["schema"])["fields"][0] == {
            "id": 1, "name": "id", "required": True, "type": "long"}
        top = {f["name"]: f["field-id"] for f in m["schema"]["fields"]}
        assert top == {"status": 0, "snapshot_id": 1, "sequence_number": 3,
                       "file_sequence_number": 4, "data_file": 2}
        df_fields = {f["name"]: f["field-id"] for f in m["schema"]["fields"][4]["type"]["fields"]}
        assert df_fields["file_path"] == 100 and df_fields["lower_bounds"] == 125
        part_fields = m["schema"]["fields"][4]["type"]["fields"][3]["type"]["fields"]
        assert [(f["name"], f["field-id"]) for f in part_fields] == [
            ("ts_day", 1000), ("id_bucket", 1001), ("region_trunc", 1002)]
        for e in m["records"]:
            assert e["status"] == 1 and e["sequence_number"] is None
            assert e["snapshot_id"] == row["added_snapshot_id"]
            data_files.append(e["data_file"])

    # Each data file (all read by DuckDB in one go): its rows agree with its partition tuple and
    # its metrics, and its Parquet field ids are the table's column ids.
    d = node("parquet_duckdb.mjs", str(tdir / "data" / "**" / "*.parquet"),
             "filename, id, region, CAST(epoch_us(ts) AS VARCHAR) AS ts", "id")
    fids = {(s["file_name"], s["name"]): s["field_id"] for s in d["schema"] if s["name"] != "schema"}
    by_file = {}
    for r in d["rows"]:
        by_file.setdefault(r["filename"], []).append(r)
    assert len(by_file) == len(data_files)
    all_ids = []
    for df in data_files:
        assert df["file_format"] == "PARQUET"
        path = df["file_path"].removeprefix("file://")
        assert {n: fids[(path, n)] for n in ("id", "region", "ts", "amount", "ok")} == {
            "id": "1", "region": "2", "ts": "3", "amount": "4", "ok": "5"}
        rows = by_file[path]
        assert len(rows) == df["record_count"]
        p = df["partition"]
        for r in rows:
            rid = int(r["id"])
            all_ids.append(rid)
            assert p["id_bucket"] == bucket(rid, 4)
            day = None if r["ts"] is None else int(r["ts"]) // 86_400_000_000
            assert p["ts_day"] == day
            assert p["region_trunc"] == (None if r["region"] is None else r["region"][:2])
        vc = {kv["key"]: kv["value"] for kv in df["value_counts"]}
        assert vc[1] == df["record_count"]
        nc = {kv["key"]: kv["value"] for kv in df["null_value_counts"]}
        assert nc[2] == sum(1 for r in rows if r["region"] is None)
        lo = {kv["key"]: kv["value"] for kv in df["lower_bounds"]}
        hi = {kv["key"]: kv["value"] for kv in df["upper_bounds"]}
        ids = sorted(int(r["id"]) for r in rows)
        assert struct.unpack("<q", bytes.fromhex(lo[1]["bytes"]))[0] == ids[0]
        assert struct.unpack("<q", bytes.fromhex(hi[1]["bytes"]))[0] == ids[-1]
    assert sorted(all_ids) == list(range(100))


def test_concurrent_appends_all_commit(tmp_path):
    wh = tmp_path / "wh"
    table("create", "db.t", "-w", wh, "--schema", "id long required, who string")
    procs = []
    for w in range(4):
        src = tmp_path / f"in{w}.jsonl"
        src.write_text("".join(json.dumps({"id": w * 1000 + i, "who": f"w{w}"}) + "\n"
                               for i in range(50)))
        procs.append(subprocess.Popen([str(OTTER), "table", "append", "db.t", "-w", str(wh), str(src)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    snaps = json.loads(table("snapshots", "db.t", "-w", wh, "--json").stdout)
    assert sorted(s["sequence-number"] for s in snaps) == [1, 2, 3, 4]
    got = node("iceberg_read.mjs", (wh / "db" / "t").as_uri())
    assert sorted(int(r["id"]) for r in got["rows"]) == sorted(
        w * 1000 + i for w in range(4) for i in range(50))


def test_bad_append_commits_nothing(tmp_path):
    wh = tmp_path / "wh"
    table("create", "db.t", "-w", wh, "--schema", "id long required, ts timestamptz")
    table("append", "db.t", "-w", wh, input=['{"id": 1, "ts": "2024-01-01T00:00:00Z"}'])
    cp = table("append", "db.t", "-w", wh, check=False,
               input=['{"id": 2}', '{"id": 3, "ts": "yesterday"}'])
    assert cp.returncode == 1 and "line 2" in cp.stderr, cp.stderr
    snaps = json.loads(table("snapshots", "db.t", "-w", wh, "--json").stdout)
    assert len(snaps) == 1
    cp = table("create", "db.t", "-w", wh, "--schema", "id long", check=False)
    assert cp.returncode == 1 and "exists" in cp.stderr
    cp = table("create", "db.u", "-w", wh, "--schema", "id long", "--partition", "hour(id)",
               check=False)
    assert cp.returncode == 1 and "hour" in cp.stderr


def test_reads_tables_written_by_java_and_spark():
    java = FIXTURES / "java" / "bunnies"
    snaps = json.loads(table("snapshots", java, "--json").stdout)
    assert [s["summary"]["operation"] for s in snaps] == ["append", "delete", "overwrite"]
    assert snaps[0]["snapshot-id"] == 4951213507629824583
    files = json.loads(table("files", java, "--json", "--snapshot", "4951213507629824583").stdout)
    assert [(f["record-count"], f["content"]) for f in files] == [(21, 0)]
    desc = json.loads(table("describe", java, "--json").stdout)
    assert desc["format-version"] == 2 and desc["schema"]["fields"][-1]["name"] == "__happy__"
    spark = FIXTURES / "spark" / "rename_column"
    desc = json.loads(table("describe", spark, "--json").stdout)
    assert [f["transform"] for f in desc["partition-spec"]] == ["bucket[4]", "identity"]
    files = json.loads(table("files", spark, "--json").stdout)
    assert sorted(f["partition"] for f in files) == [
        "id_bucket=0,date=18993", "id_bucket=2,date=18994", "id_bucket=3,date=null"]
    old = json.loads(table("snapshots", spark, "--json", "--metadata-file", "v1.metadata.json").stdout)
    assert old == []
