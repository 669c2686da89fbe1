import { MergeError } from '../../core/report/merge.ts';
import { mergeLinkParts, type MergedLinks } from '../../core/share/mergeLinks.ts';
import { buildPayload, decodePayload, ShareError, type SharePayload } from '../../core/share/payload.ts';
import { decodeSession, encodeSession, type ClassroomSession } from '../../core/share/session.ts';

const KEY = 'pagebench.classroom';

/** A part link that was not taken, and why. */
export interface Refusal {
  label: string;
  reason: string;
}

/**
 * The presenter's classroom session: the join link's setup, and the part results received so far
 * (kept in localStorage, so a reload loses nothing). Each new part is merged with those accepted;
 * a part that cannot be (another setup, a part given twice, another session) is refused with the
 * reason.
 */
export class ClassroomState {
  session = $state<ClassroomSession | null>(null);
  accepted = $state<{ label: string; link: string; payload: SharePayload }[]>([]);
  refused = $state<Refusal[]>([]);

  constructor(private readonly storage: Storage = localStorage) {
    try {
      const saved = JSON.parse(storage.getItem(KEY) ?? 'null') as { session: string; links: string[] } | null;
      if (saved?.session) {
        this.session = decodeSession(saved.session);
        for (const [i, link] of saved.links.entries()) this.add(link, `part link ${i + 1}`);
        this.refused = [];
      }
    } catch {
      // an unreadable saved session is dropped, not fatal
    }
  }

  get joinText(): string | null {
    return this.session ? encodeSession(this.session) : null;
  }

  start(session: ClassroomSession): void {
    this.session = session;
    this.accepted = [];
    this.refused = [];
    this.save();
  }

  end(): void {
    this.session = null;
    this.accepted = [];
    this.refused = [];
    this.storage.removeItem(KEY);
  }

  private save(): void {
    if (!this.session) return;
    this.storage.setItem(
      KEY,
      JSON.stringify({ session: encodeSession(this.session), links: this.accepted.map((a) => a.link) }),
    );
  }

  /** A part's link (or a results.json's text): accepted into the merge, or refused with the reason. */
  add(text: string, label: string): boolean {
    const refuse = (reason: string) => {
      this.refused = [...this.refused, { label, reason }];
      return false;
    };
    const s = this.session;
    if (!s) return refuse('no classroom session is open');
    let payload: SharePayload;
    try {
      const t = text.trim();
      payload = t.startsWith('{')
        ? buildPayload(JSON.parse(t) as Parameters<typeof buildPayload>[0])
        : decodePayload(t);
    } catch (e) {
      return refuse(
        e instanceof ShareError ? e.message : `not a result link or results.json (${(e as Error).message})`,
      );
    }
    const c = payload.config;
    if (!c.part) return refuse('this result is not a part of a classroom run');
    if (c.part.count !== s.parts)
      return refuse(`this is part ${c.part.index} of ${c.part.count}, but the session has ${s.parts} parts`);
    if (c.model !== s.model || c.dtype !== s.dtype)
      return refuse(`this part ran ${c.model} (${c.dtype}); the session runs ${s.model} (${s.dtype})`);
    try {
      mergeLinkParts([...this.accepted, { label, payload }], { allowPartial: true });
    } catch (e) {
      if (e instanceof MergeError) return refuse(e.message);
      throw e;
    }
    this.accepted = [...this.accepted, { label: `part ${c.part.index}`, link: text.trim(), payload }];
    this.save();
    return true;
  }

  get merged(): MergedLinks | null {
    if (!this.accepted.length) return null;
    return mergeLinkParts(this.accepted, { allowPartial: true });
  }

  /** Which of the session's parts have arrived. */
  get received(): number[] {
    return this.accepted.map((a) => a.payload.config.part!.index);
  }
}
