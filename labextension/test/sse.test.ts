import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SseParser } from '../src/sse';

describe('the SSE parser', () => {
  it('reads id, event and data fields and skips comments', () => {
    const parser = new SseParser();
    const out = parser.feed('retry: 1000\n: jupyter_push\n\nid: a-1\ndata: {"x":1}\n\nevent: gap\ndata: {"since":"a-0"}\n\n');
    assert.deepEqual(out, [
      { id: 'a-1', event: 'message', data: '{"x":1}' },
      { event: 'gap', data: '{"since":"a-0"}' }
    ]);
    assert.equal(parser.retryMs, 1000);
  });

  it('joins multi-line data and handles CRLF split across chunks', () => {
    const parser = new SseParser();
    const text = 'id: 7\r\ndata: one\r\ndata: two\r\n\r\n';
    const out = [];
    for (const ch of text) {
      out.push(...parser.feed(ch));
    }
    assert.deepEqual(out, [{ id: '7', event: 'message', data: 'one\ntwo' }]);
  });

  it('waits for the blank line before dispatching', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.feed('data: par'), []);
    assert.deepEqual(parser.feed('tial\n'), []);
    assert.deepEqual(parser.feed('\n'), [{ event: 'message', data: 'partial' }]);
  });
});
