// Splits a TCP byte stream into whole BGP messages. Header damage (marker, length) is
// unrecoverable because we can no longer find message boundaries: the framer then stops
// and reports the error once.
import { HEADER_LEN } from './constants';
import { BgpError } from './errors';
import { checkHeader } from './messages';

export class Framer {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  /** Feeds bytes; returns the complete messages found, or the header error that stopped us. */
  push(chunk: Uint8Array): { messages: Buffer[]; error?: BgpError } {
    const messages: Buffer[] = [];
    if (this.failed) return { messages };
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    while (this.buf.length >= HEADER_LEN) {
      let len: number;
      try {
        len = checkHeader(this.buf);
      } catch (e) {
        this.failed = true;
        this.buf = Buffer.alloc(0);
        return { messages, error: e as BgpError };
      }
      if (this.buf.length < len) break;
      messages.push(this.buf.subarray(0, len));
      this.buf = this.buf.subarray(len);
    }
    return { messages };
  }

  /** Octets waiting for the rest of their message. */
  get pending(): number {
    return this.buf.length;
  }
}
