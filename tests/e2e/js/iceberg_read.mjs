// Reads a whole Iceberg table with icebird (an independent reader) and prints JSON:
// { rows, snapshotId, manifestEntries }. Usage: node iceberg_read.mjs TABLE_URL [METADATA_FILE]
// TABLE_URL: file:///abs/path/to/table; METADATA_FILE e.g. v2.metadata.json (time travel).
import { icebergManifests, icebergMetadata, icebergRead } from 'icebird'
import { installLocalFetch, jsonReplacer } from './localfetch.mjs'

installLocalFetch()
const tableUrl = process.argv[2]
const metadataFileName = process.argv[3]
const metadata = await icebergMetadata({ tableUrl, metadataFileName })
const rows = await icebergRead({ tableUrl, metadata })
const manifests = await icebergManifests(metadata)
const entries = manifests.flatMap((m) => m.entries).map((e) => ({
  status: e.status,
  sequence_number: e.sequence_number,
  record_count: e.data_file.record_count,
  file_path: e.data_file.file_path,
  partition: e.data_file.partition,
}))
process.stdout.write(JSON.stringify({
  rows,
  snapshotId: metadata['current-snapshot-id'],
  manifestEntries: entries,
}, jsonReplacer))
