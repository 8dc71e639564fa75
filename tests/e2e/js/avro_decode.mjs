// Decodes an Avro object container file with avsc (an independent implementation) and prints
// JSON: { metadata: {key: string}, schema: <avro.schema parsed>, records: [...] }.
// Usage: node avro_decode.mjs FILE
import avro from 'avsc'
import { jsonReplacer } from './localfetch.mjs'

const file = process.argv[2]
const out = { metadata: {}, schema: null, records: [] }
await new Promise((resolve, reject) => {
  avro.createFileDecoder(file, { readerSchema: undefined })
    .on('metadata', (type, codec, header) => {
      for (const [k, v] of Object.entries(header.meta)) out.metadata[k] = v.toString('utf8')
      out.schema = JSON.parse(out.metadata['avro.schema'])
    })
    .on('data', (r) => out.records.push(r))
    .on('end', resolve)
    .on('error', reject)
})
process.stdout.write(JSON.stringify(out, (k, v) => {
  if (v && v.type === 'Buffer' && Array.isArray(v.data)) return { bytes: Buffer.from(v.data).toString('hex') }
  return jsonReplacer(k, v)
}))
