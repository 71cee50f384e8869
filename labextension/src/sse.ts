/**
 * A Server-Sent Events parser that knows nothing of the network: text in, messages out.
 *
 * The panel reads `push/events` with fetch rather than EventSource because EventSource
 * cannot send the Jupyter token header and hides the HTTP status (a 404 must become the
 * install hint).
 */

export interface SseMessage {
  /** The `id:` field of this message, if it had one. */
  id?: string;
  /** The `event:` field, or "message". */
  event: string;
  data: string;
}

const LINE_END = /\r\n|\r|\n/g;

export class SseParser {
  private pending = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined = undefined;

  /** The last `retry:` value the server asked for, in milliseconds. */
  retryMs: number | null = null;

  feed(chunk: string): SseMessage[] {
    const text = this.pending + chunk;
    const messages: SseMessage[] = [];
    let pos = 0;
    LINE_END.lastIndex = 0;
    for (let m = LINE_END.exec(text); m !== null; m = LINE_END.exec(text)) {
      if (m[0] === '\r' && m.index === text.length - 1) {
        break; // a CR at the end may be the first half of CRLF: wait for the next chunk
      }
      const message = this.line(text.slice(pos, m.index));
      if (message) {
        messages.push(message);
      }
      pos = m.index + m[0].length;
    }
    this.pending = text.slice(pos);
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      return this.dispatch();
    }
    if (line.startsWith(':')) {
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.id = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) {
          this.retryMs = Number(value);
        }
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const message: SseMessage | null = this.data.length
      ? { event: this.event || 'message', data: this.data.join('\n') }
      : null;
    if (message && this.id !== undefined) {
      message.id = this.id;
    }
    this.data = [];
    this.event = '';
    this.id = undefined;
    return message;
  }
}
