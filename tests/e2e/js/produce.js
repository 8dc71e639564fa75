// usage: node produce.js BROKER TOPIC COUNT [none|gzip] [BATCH]
// Sends COUNT messages (key k<i>, value <compression>-<i>, header idx=<i>) with acks=-1 in
// batches of BATCH; prints the per-batch record metadata.
'use strict';
const { client, main, CompressionTypes, Partitioners } = require('./common');

main(async ([broker, topic, count, compression = 'none', batch = '100']) => {
  const producer = client(broker, 'otter-e2e-producer').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const codec = compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const results = [];
  try {
    for (let start = 0; start < Number(count); start += Number(batch)) {
      const messages = [];
      for (let i = start; i < Math.min(Number(count), start + Number(batch)); i++) {
        messages.push({ key: `k${i}`, value: `${compression}-${i}`, partition: 0, headers: { idx: String(i) } });
      }
      const md = await producer.send({ topic, messages, acks: -1, compression: codec, timeout: 15000 });
      results.push(...md);
    }
  } finally {
    await producer.disconnect();
  }
  return results;
});
