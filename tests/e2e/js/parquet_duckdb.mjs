// Reads a Parquet file with DuckDB (bundled in @duckdb/node-api) and prints one JSON object:
// rows (SELECT <select> ... ORDER BY <order>), types (DESCRIBE), parquet_schema,
// parquet_metadata and parquet_kv_metadata. FILE may be a glob; the rows query can then select
// `filename`.
// Usage: node parquet_duckdb.mjs FILE [SELECT-LIST] [ORDER-BY]
import { DuckDBInstance } from '@duckdb/node-api'

const file = process.argv[2]
const select = process.argv[3] || '*'
const order = process.argv[4] ?? ''
const con = await (await DuckDBInstance.create(':memory:')).connect()
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson()
const lit = `'${file.replaceAll("'", "''")}'`
const out = {
  rows: await q(`SELECT ${select} FROM read_parquet(${lit}, filename = true) ${order ? 'ORDER BY ' + order : ''}`),
  types: await q(`DESCRIBE SELECT * FROM read_parquet(${lit})`),
  schema: await q(`SELECT * FROM parquet_schema(${lit})`),
  metadata: await q(`SELECT * FROM parquet_metadata(${lit})`),
  kv: await q(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${lit})`),
}
process.stdout.write(JSON.stringify(out))
