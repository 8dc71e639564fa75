// Baseline for bench/parquet_write_bench: loads a Parquet file into an in-memory DuckDB table,
// then times COPY ... TO (FORMAT parquet, COMPRESSION <codec>) of the same rows.
// Usage: node duckdb_parquet_bench.mjs IN.parquet OUT.parquet [codec] [threads] [runs]
import { DuckDBInstance } from '@duckdb/node-api'
import { statSync } from 'node:fs'

const [input, output, codec = 'zstd', threads = '1', runs = '3'] = process.argv.slice(2)
const con = await (await DuckDBInstance.create(':memory:')).connect()
await con.run(`SET threads = ${Number(threads)}`)
await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${input}')`)
const n = Number((await con.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjects()[0].n)
const secs = []
for (let r = 0; r < Number(runs); r++) {
  const start = process.hrtime.bigint()
  await con.run(`COPY t TO '${output}' (FORMAT parquet, COMPRESSION ${codec})`)
  secs.push(Number(process.hrtime.bigint() - start) / 1e9)
}
secs.sort((a, b) => a - b)
const med = secs[Math.floor(secs.length / 2)]
console.log(JSON.stringify({ engine: 'duckdb', threads: Number(threads), rows: n, median_seconds: med,
  rows_per_s: Math.round(n / med), file_bytes: statSync(output).size, codec, runs: secs }))
