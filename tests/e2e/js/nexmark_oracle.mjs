// The Nexmark queries as batch SQL in DuckDB (@duckdb/node-api), over the Parquet files that
// `otter nexmark generate --format parquet` writes (person.parquet, auction.parquet, bid.parquet).
// The SQL is nexmark/nexmark's Flink SQL (queries/qN.sql) translated to DuckDB:
//   - TIMESTAMP(3) columns are compared and windowed as epoch milliseconds (epoch_ms), and every
//     time in the output is epoch milliseconds, as `otter nexmark run --output` writes them;
//   - TUMBLE(10 s): start = t // 10000 * 10000 (Flink aligns windows to the epoch);
//   - HOP(slide 2 s, size 10 s): the 5 windows with start = t // 2000 * 2000 - k * 2000, k = 0..4;
//   - SESSION(10 s): per key, a new session where the gap to the previous event exceeds 10 s
//     (Flink merges session windows [t, t + gap) that overlap or touch), end = last + 10 s;
//   - q1's DECIMAL(23, 3) price is output as its unscaled value (thousandths of a cent);
//   - q4's AVG over BIGINT is BIGINT in Flink (sum / count, truncated); sum and count are output
//     too;
//   - window bounds that the Flink sink tables drop (q5) are output, under the subqueries' names;
//   - q7 outputs the SELECT's columns by name (auction, price, bidder, ...), not positionally into
//     nexmark_q7's column list (where B.price lands in the "bidder" column);
//   - q12 windows on processing time, so only its total is comparable: the number of bids.
// Column names are those of the result rows of `otter nexmark run --output` (src/nexmark/rows.h).
//
// Usage:
//   node nexmark_oracle.mjs results DIR QUERY OUT.jsonl
//       writes the query's result rows as JSON lines (BIGINTs as exact integers) to OUT.jsonl and
//       prints {"query", "rows", "columns", "seconds"}
//   node nexmark_oracle.mjs bench DIR QUERIES THREADS
//       loads the three tables into memory (untimed), then runs each query (comma-separated)
//       materialising its result (CREATE TEMP TABLE ... AS) and prints one JSON line per query:
//       {"query", "threads", "events", "rows", "seconds", "events_per_second"}
//       (q12 is timed as the same aggregation over event-time windows)
//   node nexmark_oracle.mjs dump DIR TABLE OUT.jsonl
//       writes a whole table (person, auction or bid) in file order, times as epoch ms
//   node nexmark_oracle.mjs sql QUERY     prints the DuckDB SQL of QUERY
import { DuckDBInstance } from '@duckdb/node-api'
import { createWriteStream } from 'node:fs'

const ms = (col) => `epoch_ms(${col})`

export const QUERIES = {
  q0: `SELECT auction, bidder, price, ${ms('dateTime')} AS dateTime, extra FROM bid`,

  q1: `SELECT auction, bidder, CAST((0.908 * price) * 1000 AS BIGINT) AS price,
              ${ms('dateTime')} AS dateTime, extra
       FROM bid`,

  q2: `SELECT auction, price FROM bid WHERE auction % 123 = 0`,

  q3: `SELECT P.name, P.city, P.state, A.id
       FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
       WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,

  q4: `SELECT Q.category AS id,
              CAST(sum(Q.final) // count(*) AS BIGINT) AS final,
              CAST(sum(Q.final) AS BIGINT) AS sum,
              count(*) AS count
       FROM (
         SELECT MAX(B.price) AS final, A.category
         FROM auction A, bid B
         WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
         GROUP BY A.id, A.category
       ) Q
       GROUP BY Q.category`,

  q5: `WITH hop AS (
         SELECT auction, ${ms('dateTime')} // 2000 * 2000 - k * 2000 AS starttime
         FROM bid CROSS JOIN range(0, 5) AS r(k)
       ),
       AuctionBids AS (
         SELECT auction, count(*) AS num, starttime, starttime + 10000 AS endtime
         FROM hop GROUP BY auction, starttime
       ),
       MaxBids AS (
         SELECT max(num) AS maxn, starttime, endtime FROM AuctionBids GROUP BY starttime, endtime
       )
       SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.starttime, AuctionBids.endtime
       FROM AuctionBids JOIN MaxBids
         ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
        AND AuctionBids.num >= MaxBids.maxn`,

  q7: `WITH B1 AS (
         SELECT MAX(price) AS maxprice, window_end AS dateTime
         FROM (SELECT price, ${ms('dateTime')} // 10000 * 10000 + 10000 AS window_end FROM bid)
         GROUP BY window_end
       )
       SELECT B.auction, B.price, B.bidder, ${ms('B.dateTime')} AS dateTime, B.extra
       FROM bid B JOIN B1 ON B.price = B1.maxprice
       WHERE ${ms('B.dateTime')} BETWEEN B1.dateTime - 10000 AND B1.dateTime`,

  q8: `WITH P AS (
         SELECT id, name, ${ms('dateTime')} // 10000 * 10000 AS starttime
         FROM person GROUP BY id, name, starttime
       ),
       A AS (
         SELECT seller, ${ms('dateTime')} // 10000 * 10000 AS starttime
         FROM auction GROUP BY seller, starttime
       )
       SELECT P.id, P.name, P.starttime AS stime
       FROM P JOIN A ON P.id = A.seller AND P.starttime = A.starttime`,

  q11: `WITH b AS (
          SELECT bidder, ${ms('dateTime')} AS t FROM bid
        ),
        marked AS (
          SELECT bidder, t,
                 CASE WHEN t - lag(t) OVER (PARTITION BY bidder ORDER BY t) <= 10000
                      THEN 0 ELSE 1 END AS new_session
          FROM b
        ),
        numbered AS (
          SELECT bidder, t,
                 sum(new_session) OVER (PARTITION BY bidder ORDER BY t
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid
          FROM marked
        )
        SELECT bidder, count(*) AS bid_count, min(t) AS starttime, max(t) + 10000 AS endtime
        FROM numbered GROUP BY bidder, sid`,

  // Processing-time windows: only the total is comparable.
  q12: `SELECT count(*) AS bid_count FROM bid`,
}

// Batch stand-ins for timing where the streaming query has no batch equivalent: q12 windows on
// processing time, so the benchmark times the same aggregation on event time.
const BENCH_QUERIES = {
  ...QUERIES,
  q12: `SELECT bidder, count(*) AS bid_count, starttime, starttime + 10000 AS endtime
        FROM (SELECT bidder, ${ms('dateTime')} // 10000 * 10000 AS starttime FROM bid)
        GROUP BY bidder, starttime`,
}

function sqlString(s) {
  return `'${String(s).replaceAll("'", "''")}'`
}

async function open(dir, load) {
  const con = await (await DuckDBInstance.create(':memory:')).connect()
  for (const t of ['person', 'auction', 'bid']) {
    const src = `read_parquet(${sqlString(`${dir}/${t}.parquet`)})`
    await con.run(load ? `CREATE TABLE ${t} AS SELECT * FROM ${src}` : `CREATE VIEW ${t} AS SELECT * FROM ${src}`)
  }
  return con
}

// One DuckDB value as JSON text; BIGINT/HUGEINT stay exact.
function jsonValue(v) {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v)
  throw new Error(`unexpected value type in a result: ${v?.constructor?.name ?? typeof v} (${String(v)})`)
}

// Streams the rows of `sql` to outPath as JSON lines; returns {rows, columns}.
async function writeRows(con, sql, outPath) {
  const result = await con.stream(sql)
  const columns = result.columnNames()
  const keys = columns.map((c) => JSON.stringify(c))
  const out = createWriteStream(outPath)
  let rows = 0
  for await (const chunk of result.yieldRows()) {
    let text = ''
    for (const row of chunk) {
      text += '{' + row.map((v, i) => `${keys[i]}:${jsonValue(v)}`).join(',') + '}\n'
      rows++
    }
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve))
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())))
  return { rows, columns }
}

async function results(dir, query, outPath) {
  const sql = QUERIES[query]
  if (!sql) throw new Error(`no SQL for query ${query}`)
  const con = await open(dir, false)
  const start = process.hrtime.bigint()
  const { rows, columns } = await writeRows(con, sql, outPath)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  process.stdout.write(JSON.stringify({ query, rows, columns, seconds }) + '\n')
}

// A whole table in file order, times as epoch milliseconds.
async function dump(dir, table, outPath) {
  const times = { person: ['dateTime'], auction: ['dateTime', 'expires'], bid: ['dateTime'] }[table]
  if (!times) throw new Error(`no table ${table}`)
  const con = await open(dir, false)
  const sql = `SELECT * REPLACE (${times.map((c) => `${ms(c)} AS ${c}`).join(', ')}) FROM ${table}`
  const { rows, columns } = await writeRows(con, sql, outPath)
  process.stdout.write(JSON.stringify({ table, rows, columns }) + '\n')
}

async function bench(dir, queries, threads) {
  const con = await open(dir, true)
  await con.run(`SET threads = ${Number(threads)}`)
  const count = async (sql) => Number((await con.runAndReadAll(sql)).getRows()[0][0])
  const events = (await count('SELECT count(*) FROM person')) + (await count('SELECT count(*) FROM auction')) +
    (await count('SELECT count(*) FROM bid'))
  for (const q of queries) {
    const sql = BENCH_QUERIES[q]
    if (!sql) throw new Error(`no SQL for query ${q}`)
    const start = process.hrtime.bigint()
    await con.run(`CREATE OR REPLACE TEMP TABLE result AS ${sql}`)
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    const rows = await count('SELECT count(*) FROM result')
    await con.run('DROP TABLE result')
    process.stdout.write(JSON.stringify({ query: q, threads: Number(threads), events, rows, seconds,
      events_per_second: events / seconds }) + '\n')
  }
}

const [mode, ...args] = process.argv.slice(2)
if (mode === 'results' && args.length === 3) {
  await results(args[0], args[1], args[2])
} else if (mode === 'bench' && args.length === 3) {
  await bench(args[0], args[1].split(',').filter(Boolean), args[2])
} else if (mode === 'dump' && args.length === 3) {
  await dump(args[0], args[1], args[2])
} else if (mode === 'sql' && args.length === 1 && QUERIES[args[0]]) {
  process.stdout.write(QUERIES[args[0]] + '\n')
} else {
  process.stderr.write('usage: nexmark_oracle.mjs results DIR QUERY OUT.jsonl | bench DIR QUERIES THREADS | ' +
    'dump DIR TABLE OUT.jsonl | sql QUERY\n')
  process.exit(2)
}
