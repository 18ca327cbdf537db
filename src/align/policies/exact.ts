import type { TimestampNs } from '../../core/time.ts';
import type { AlignedSet } from '../types.ts';
import { EventPolicy, type EventPolicyOptions } from './event-policy.ts';
import type { EventQueue } from './event-queue.ts';

export type ExactOptions = EventPolicyOptions;

/**
 * ROS `ExactTime`: a set is the samples of all sources that carry the same stamp (hardware-
 * triggered sensors). Stamps are taken in order. A stamp that a live source does not have is
 * `unmatched` and its samples are dropped (ROS's drop callback, counted here). A source that is
 * silent — nothing within its deadline after the stamp — is `missing` in the set instead of
 * blocking it. Each sample is used at most once.
 */
export class ExactSynchronizer extends EventPolicy {
  readonly policy = 'exact';

  constructor(o: ExactOptions) {
    super('exact', o);
  }

  protected resetSearch(): void {
    // No search state: decisions are taken stamp by stamp.
  }

  protected process(): void {
    const q = this.q;
    for (;;) {
      let t: TimestampNs | undefined;
      for (const x of q) if (!x.empty && (t === undefined || x.frontT() < t)) t = x.frontT();
      if (t === undefined) return;
      let unmatched = false;
      let wait = false;
      for (const x of q) {
        if (!x.empty && x.frontT() === t) continue;
        const silent = this.silentAfter(x, t);
        if (silent === true) continue;
        if (silent === false) unmatched = true; // alive, but without this stamp
        else wait = true;
      }
      // Decide only with every source known past t (as ROS waits for all queues): a source not yet
      // heard from could still be... anything, and deciding early would make the outcome depend on
      // the order in which sources first speak.
      if (wait) return;
      if (unmatched) {
        for (const x of q) if (!x.empty && x.frontT() === t) this.dropFront(x, 'unmatched');
        continue;
      }
      const members: AlignedSet['members'] = {};
      const mask: AlignedSet['mask'] = {};
      for (const x of q) {
        if (!x.empty && x.frontT() === t) {
          members[x.modality] = { state: 'fresh', sample: x.popFront(), ageNs: 0n, sourceId: x.sourceId };
          this.ledger.released(x.sourceId);
          mask[x.modality] = 'fresh';
        } else {
          members[x.modality] = { state: 'missing', reason: 'silent', sourceId: x.sourceId };
          mask[x.modality] = 'missing';
        }
      }
      this.emit({ t, members, mask, skewNs: 0n });
    }
  }

  nextDeadline(): TimestampNs | undefined {
    let t: TimestampNs | undefined;
    for (const x of this.q) if (!x.empty && (t === undefined || x.frontT() < t)) t = x.frontT();
    if (t === undefined) return undefined;
    let best: TimestampNs | undefined;
    for (const x of this.q as EventQueue[]) {
      if (!x.empty) continue;
      const d = this.silenceDeadline(x, t);
      if (d !== undefined && (best === undefined || d < best)) best = d;
    }
    return best;
  }
}
