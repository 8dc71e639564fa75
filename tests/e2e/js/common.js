// Shared set-up for the kafkajs helper scripts: one client, bounded retries, JSON out on stdout,
// errors (with the kafkajs error type) on stderr and exit code 1.
'use strict';
const { Kafka, logLevel, CompressionTypes, Partitioners } = require('kafkajs');

function client(broker, clientId) {
  return new Kafka({
    clientId: clientId || 'otter-e2e',
    brokers: [broker],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: process.env.KAFKAJS_DEBUG ? logLevel.DEBUG : logLevel.ERROR,
  });
}

function main(fn) {
  const limitMs = Number(process.env.E2E_SCRIPT_TIMEOUT_MS || 60000);
  const timer = setTimeout(() => {
    process.stderr.write(`script timed out after ${limitMs} ms\n`);
    process.exit(3);
  }, limitMs);
  fn(process.argv.slice(2))
    .then((result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
      clearTimeout(timer);
      process.exit(0);
    })
    .catch((err) => {
      process.stderr.write(`${err && err.name}: ${err && err.message}\n${err && err.stack}\n`);
      if (err && err.type) process.stderr.write(`kafka error type: ${err.type}\n`);
      clearTimeout(timer);
      process.exit(1);
    });
}

module.exports = { client, main, CompressionTypes, Partitioners };
