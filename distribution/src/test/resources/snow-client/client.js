// Drives the npm package servicenow-rest (GlideRecord), unmodified, against a Midway instance:
// create, query page by page, read, update, delete on ecc_queue. The library only knows
// https://<name>.service-now.com:443, so this script points Node's TLS connections for
// midway.service-now.com:443 at the instance on 127.0.0.1 (and refuses every other host, so
// nothing leaves the machine); the instance's certificate names midway.service-now.com and is
// trusted through NODE_EXTRA_CA_CERTS, so the name is still verified. Prints one JSON line.
'use strict';
const tls = require('tls');

const instancePort = Number(process.env.MIDWAY_PORT);
const user = process.env.MIDWAY_USER;
const password = process.env.MIDWAY_PASSWORD;
const tag = process.env.CLIENT_TAG;
const count = Number(process.env.CLIENT_RECORDS || '12');
const pageSize = Number(process.env.CLIENT_PAGE || '5');
const connections = [];

const connect = tls.connect;
tls.connect = function (...args) {
  const options = typeof args[0] === 'object' ? args[0] : Object.assign({}, args[2] || {}, { port: args[0], host: args[1] });
  const host = options.host || options.servername;
  connections.push(host + ':' + options.port);
  if (host !== 'midway.service-now.com' || Number(options.port) !== 443) {
    throw new Error('this test connects to midway.service-now.com:443 only, not ' + host + ':' + options.port);
  }
  return connect.call(tls, Object.assign({}, options, { host: '127.0.0.1', port: instancePort, servername: host }),
      typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined);
};
const GlideRecord = require('servicenow-rest').gliderecord;

function table(name) {
  return new GlideRecord('midway', name, user, password, 'v2');
}

async function main() {
  const out = { created: [], pages: [], read: null, updated: null, deleted: null, afterDelete: null, connections: connections.length };
  for (let i = 0; i < count; i++) {
    const gr = table('ecc_queue');
    const record = await gr.insert({ agent: 'mid.server.snow-client', topic: 'SnowClient', name: tag + '-' + String(i).padStart(3, '0'),
      source: '10.0.0.' + i, payload: { i: i } });
    out.created.push(record.sys_id);
  }
  for (let offset = 0; ; offset += pageSize) {
    const gr = table('ecc_queue');
    gr.setEncodedQuery('nameSTARTSWITH' + tag + '^ORDERBYname');
    gr.setReturnFields('sys_id,name,state');
    gr.setLimit(pageSize);
    gr.setOffset(offset);
    const page = await gr.query();
    out.pages.push(page.map(r => r.name));
    if (page.length < pageSize) {
      break;
    }
  }
  const first = out.created[0];
  out.read = await table('ecc_queue').get(first);
  out.updated = await table('ecc_queue').update(first, { priority: 1, name: tag + '-renamed' });
  const last = out.created[out.created.length - 1];
  out.deleted = await table('ecc_queue').delete(last);
  out.afterDelete = await table('ecc_queue').get(last).then(r => ({ found: r }), e => ({ refused: e }));
  return out;
}

main().then(out => {
  out.connections = connections.length;
  console.log(JSON.stringify(out));
  process.exit(0);
}, err => {
  console.log(JSON.stringify({ failed: String(err && err.stack || JSON.stringify(err)), connections }));
  process.exit(1);
});
