// usage: node group_member.js '{"bootstrap": ..., "topic": ..., "group": ..., ...}'
//
// A kafkajs consumer-group member for the end-to-end group tests: the counterpart of
// ../group_member.py, printing the same JSON lines on stdout:
//   {"ev":"assign","parts":[...]}   after each join (kafkajs rebalances eagerly: all or nothing)
//   {"ev":"msg","p":..,"o":..,"v":..}, {"ev":"commit","p":..,"o":next}, {"ev":"commit_error",...}
//   {"ev":"error","err":...}, {"ev":"closed"}
// Offsets are committed after each message is processed (autoCommit off). SIGTERM disconnects
// (leaving the group) and exits 0. Options: session_timeout_ms, client_id, delay_ms, max_seconds,
// assigner: "default" (kafkajs's RoundRobinAssigner) or "roundrobin" (the same algorithm under
// the protocol name librdkafka and Java use, so that a group can mix kafkajs and librdkafka).
'use strict';
const { AssignerProtocol } = require('kafkajs');
const { client } = require('./common');

const { MemberMetadata, MemberAssignment } = AssignerProtocol;

function emit(obj) {
  process.stdout.write(JSON.stringify({ t: Date.now() / 1000, ...obj }) + '\n');
}

// Round-robin over the partitions of the subscribed topics, members sorted by id: what Java's and
// librdkafka's "roundrobin" assignors compute, encoded in the standard consumer protocol.
const standardRoundRobin = ({ cluster }) => ({
  name: 'roundrobin',
  version: 0,
  async assign({ members, topics }) {
    const ids = members.map((m) => m.memberId).sort();
    const assignment = Object.fromEntries(ids.map((id) => [id, {}]));
    const partitions = topics
      .slice()
      .sort()
      .flatMap((topic) =>
        cluster
          .findTopicPartitionMetadata(topic)
          .map((m) => m.partitionId)
          .sort((a, b) => a - b)
          .map((p) => ({ topic, p })));
    partitions.forEach(({ topic, p }, i) => {
      const id = ids[i % ids.length];
      (assignment[id][topic] = assignment[id][topic] || []).push(p);
    });
    return ids.map((memberId) => ({
      memberId,
      memberAssignment: MemberAssignment.encode({ version: 0, assignment: assignment[memberId] }),
    }));
  },
  protocol({ topics }) {
    return { name: 'roundrobin', metadata: MemberMetadata.encode({ version: 0, topics }) };
  },
});

async function run(cfg) {
  const options = {
    groupId: cfg.group,
    sessionTimeout: cfg.session_timeout_ms || 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  };
  if (cfg.assigner === 'roundrobin') options.partitionAssigners = [standardRoundRobin];
  const consumer = client(cfg.bootstrap, cfg.client_id || 'otter-e2e-js-member').consumer(options);
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const parts = (e.payload.memberAssignment[cfg.topic] || []).slice().sort((a, b) => a - b);
    emit({ ev: 'assign', parts, leader: e.payload.isLeader, protocol: e.payload.groupProtocol });
  });
  consumer.on(consumer.events.CRASH, (e) => emit({ ev: 'error', err: String(e.payload.error) }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await consumer.disconnect();
    } finally {
      emit({ ev: 'closed' });
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  setTimeout(stop, (cfg.max_seconds || 170) * 1000);

  await consumer.connect();
  await consumer.subscribe({ topics: [cfg.topic], fromBeginning: true });
  emit({ ev: 'subscribed' });
  const delay = cfg.delay_ms || 0;
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const o = Number(message.offset);
      emit({ ev: 'msg', p: partition, o, v: message.value && message.value.toString() });
      try {
        await consumer.commitOffsets([{ topic, partition, offset: String(o + 1) }]);
        emit({ ev: 'commit', p: partition, o: o + 1 });
      } catch (err) {
        // A commit refused during a rebalance is harmless: the next owner re-reads from the last
        // committed offset (at least once).
        emit({ ev: 'commit_error', p: partition, o: o + 1, err: `${err.name}: ${err.message}` });
      }
    },
  });
}

run(JSON.parse(process.argv[2])).catch((err) => {
  process.stderr.write(`${err && err.name}: ${err && err.message}\n${err && err.stack}\n`);
  process.exit(1);
});
