/**
 * Downloads are checked against the hub's tree listing before they are stored (storage/fileCache.ts):
 * size, and sha256 for LFS files. Real Response objects (Node's fetch API); the bytes are made here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readChecked, VerificationError } from '../../src/storage/fileCache.ts';

const body = new TextEncoder().encode('weights '.repeat(1000));
const sha = createHash('sha256').update(body).digest('hex');
const respond = (bytes: Uint8Array<ArrayBuffer>) =>
  new Response(bytes, { headers: { 'content-length': String(bytes.byteLength) } });

test('a file equal to its listing is accepted with its sha256', async () => {
  const r = await readChecked('u', respond(body), undefined, {
    path: 'onnx/model.onnx',
    size: body.length,
    sha256: sha,
  });
  assert.equal(r.sha256, sha);
  assert.equal(r.bytes.byteLength, body.length);
});

test('one changed byte is refused naming the file; a wrong size too; without a sha256 the size is checked', async () => {
  const bad = body.slice();
  bad[500]! ^= 1;
  await assert.rejects(
    readChecked('u', respond(bad), undefined, { path: 'onnx/model.onnx', size: body.length, sha256: sha }),
    (e: Error) =>
      e instanceof VerificationError &&
      /^onnx\/model\.onnx is corrupt: its sha256 [0-9a-f]{12}… is not the hub's/.test(e.message),
  );
  await assert.rejects(
    readChecked('u', respond(body.slice(0, 100)), undefined, {
      path: 'onnx/model.onnx',
      size: body.length,
      sha256: sha,
    }),
    /onnx\/model\.onnx: downloaded 100 bytes but the hub lists 8000/,
  );
  await assert.rejects(
    readChecked('u', respond(body), undefined, { path: 'config.json', size: body.length + 1 }),
    /config\.json: downloaded 8000 bytes but the hub lists 8001/,
  );
});
