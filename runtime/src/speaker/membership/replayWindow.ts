// Replay protection (pure): every datagram carries its sender's incarnation and a sequence number
// that grows by one per datagram within that life. A receiver keeps, per sender, the newest
// incarnation and a 32-wide window of sequence numbers below the highest seen (like IPsec's
// anti-replay window), so a datagram captured on the LAN and sent again is dropped: it is either
// from an older life or its sequence was seen already or is too old. A receiver that has just
// started has no window yet; what protects it is that claims carry member incarnations (a
// replayed "dead X at i" loses to X's newer life or refutation i+1, which the join answer brings)
// and that claims are ignored until that answer arrived (swim.ts).
const WIDTH = 32;

interface Window { inc: number; top: number; bits: number }

export class ReplayWindow {
  private readonly senders = new Map<string, Window>();

  /** True (and recorded) when this (sender, inc, seq) is fresh; false for a replay or older life. */
  accept(sender: string, inc: number, seq: number): boolean {
    const w = this.senders.get(sender);
    if (!w || inc > w.inc) {
      this.senders.set(sender, { inc, top: seq, bits: 1 });
      return true;
    }
    if (inc < w.inc) return false;
    if (seq > w.top) {
      const shift = seq - w.top;
      w.bits = shift >= WIDTH ? 1 : ((w.bits << shift) | 1) >>> 0;
      w.top = seq;
      return true;
    }
    const back = w.top - seq;
    if (back >= WIDTH) return false;
    const bit = (1 << back) >>> 0;
    if (w.bits & bit) return false;
    w.bits = (w.bits | bit) >>> 0;
    return true;
  }

  forget(sender: string): void { this.senders.delete(sender); }
}
