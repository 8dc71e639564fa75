// Reads a Parquet file with hyparquet (+ hyparquet-compressors) and prints JSON:
// { rows, numRows, rowGroups, schema: [{name, field_id, type, logical_type, converted_type}] }.
// Usage: node parquet_hyparquet.mjs FILE
import { readFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { jsonReplacer } from './localfetch.mjs'

const buf = readFileSync(process.argv[2])
const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
const meta = parquetMetadata(file)
const rows = await parquetReadObjects({ file, compressors })
process.stdout.write(JSON.stringify({
  rows,
  numRows: meta.num_rows,
  rowGroups: meta.row_groups.length,
  schema: meta.schema.map((s) => ({
    name: s.name,
    field_id: s.field_id,
    type: s.type,
    logical_type: s.logical_type,
    converted_type: s.converted_type,
  })),
}, jsonReplacer))
